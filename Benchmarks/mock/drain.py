"""Drains `squall mock`'s call log as Squall would and samples the mock's RSS (Benchmarks/mock/memory.sh).

Usage: drain.py URL PID SECONDS [TOKEN]  -> prints one JSON summary line.
"""
import json
import sys
import time
import urllib.request


def rss(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return -1


def main():
    url, pid, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    token = sys.argv[4] if len(sys.argv) > 4 else None
    cursor, records, dropped, gaps, reads = 0, 0, 0, 0, 0
    tagged, completed, statuses = 0, 0, {}
    samples = []
    start = time.monotonic()
    last_sample = 0.0
    while True:
        now = time.monotonic() - start
        if now - last_sample >= 5:
            samples.append((round(now), rss(pid, "VmRSS")))
            last_sample = now
        req = urllib.request.Request(f"{url}/_squall/calls?after={cursor}&limit=10000")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        with urllib.request.urlopen(req, timeout=30) as r:
            page = json.load(r)
        reads += 1
        dropped += page["dropped"]
        for rec in page["records"]:
            if rec["seq"] != cursor + 1 and cursor != 0:
                gaps += rec["seq"] - cursor - 1
            cursor = rec["seq"]
            records += 1
            tagged += rec["run"] is not None
            completed += rec["completed"]
            statuses[str(rec["status"])] = statuses.get(str(rec["status"]), 0) + 1
        cursor = page["next"]
        if page["next"] == page["last"]:
            if now >= seconds:
                break
            time.sleep(0.5)
    print(json.dumps({
        "records": records, "dropped": dropped, "gaps_not_reported_as_dropped": gaps - dropped if gaps > dropped else 0,
        "reads": reads, "tagged": tagged, "completed": completed, "statuses": statuses,
        "rss_samples": samples, "peak_rss_sampled": max(s[1] for s in samples) if samples else -1,
        "vm_hwm": rss(pid, "VmHWM"), "seconds": round(time.monotonic() - start, 1),
    }))


main()
