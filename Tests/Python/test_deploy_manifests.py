"""Tests of deploy/kubernetes/ (issue #13 item 4) and the Dockerfile's `cli` target.

No Kubernetes engine runs here, so:
  * every kustomization is rendered with `kubectl kustomize` (kubectl ships kustomize) and every
    resource is validated against the Kubernetes JSON schemas of KUBERNETES_VERSIONS with
    kubernetes-validate in strict mode (unknown fields rejected);
  * the sharding contract is checked on the rendered Jobs (N in completions, parallelism, the
    squall-run ConfigMap and `--shards`; the merge reading what the shards write; references,
    security context, resources, deadlines);
  * the pods' commands are *run* here, in container order with their env and volumes mapped to
    temporary directories, against stand-ins for squall (only the --shards/merge interface of
    issue #13), the AWS CLI and kubectl (Tests/Python/deploy_fakes/), so the wiring between the
    shard, upload, download, merge and verdict steps is executed, not just read;
  * every check is also run on a deliberately broken copy and must reject it.

Run: .venv/bin/python -m pytest -q Tests/Python/test_deploy_manifests.py
"""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy" / "kubernetes"
FAKES = Path(__file__).resolve().parent / "deploy_fakes"

# The stated Kubernetes version is 1.30. 1.29 is the oldest whose Job fields used here
# (backoffLimitPerIndex, maxFailedIndexes, podReplacementPolicy) are on by default; 1.37 is the
# newest kubernetes-validate==1.37.0 ships schemas for.
KUBERNETES_VERSIONS = ["1.29.0", "1.30.0", "1.37.0"]

# The kustomizations a team applies, and the standalone manifests.
KUSTOMIZATIONS = ["base", "overlays/sweep", "overlays/run", "overlays/load", "overlays/live-run", "overlays/sweep-object-store"]
STANDALONE = ["tools/report-reader.yaml"]

# Objects the manifests reference but a team creates itself; every reference to them must be optional.
EXTERNAL = {("ConfigMap", "squall-scenario"), ("Secret", "squall-object-store")}

SQUALL_UID = 10001  # the Dockerfile's USER
SHARDS_JOB, MERGE_JOB = "squall-shards", "squall-merge"


# ---------- rendering ----------

def kubectl():
    path = shutil.which("kubectl")
    if path is None:
        pytest.fail("kubectl not found: these tests render the kustomizations with `kubectl kustomize` "
                    "(kubectl >= 1.27 ships kustomize v5; the machine image has it)")
    return path


def render_dir(directory):
    done = subprocess.run([kubectl(), "kustomize", str(directory)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"kubectl kustomize {directory} failed:\n{done.stderr}"
    return [d for d in yaml.safe_load_all(done.stdout) if d]


_rendered = {}


def render(name):
    """Rendered resources of a kustomization under deploy/kubernetes (a fresh copy each call)."""
    if name not in _rendered:
        _rendered[name] = render_dir(DEPLOY / name)
    return copy.deepcopy(_rendered[name])


def find(docs, kind, name):
    hits = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(hits) == 1, f"expected one {kind}/{name}, found {len(hits)}"
    return hits[0]


def configmaps(docs):
    """ConfigMaps by the name they were generated from (kustomize appends a hash)."""
    out = {}
    for d in docs:
        if d["kind"] == "ConfigMap":
            out[d["metadata"]["name"]] = d.get("data", {})
    return out


def pod_spec(job):
    return job["spec"]["template"]["spec"]


def all_containers(spec):
    return list(spec.get("initContainers", [])) + list(spec.get("containers", []))


def squall_container(job):
    hits = [c for c in all_containers(pod_spec(job)) if c["name"] == "squall"]
    assert len(hits) == 1, "the shards Job needs exactly one container named squall"
    return hits[0]


# ---------- schema validation ----------

def validation_errors(docs, version):
    errors = []
    for d in docs:
        try:
            kubernetes_validate.validate(d, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            path = ".".join(str(p) for p in e.path)
            errors.append(f"{d['kind']}/{d['metadata'].get('name')}: {path}: {e.message}")
        except kubernetes_validate.SchemaNotFoundError as e:
            errors.append(e.message)
    return errors


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_every_rendered_resource_validates_strictly(name, version):
    docs = render(name)
    assert docs
    assert validation_errors(docs, version) == []


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("name", STANDALONE)
def test_standalone_manifests_validate_strictly(name, version):
    docs = [d for d in yaml.safe_load_all((DEPLOY / name).read_text()) if d]
    assert docs
    assert validation_errors(docs, version) == []


def test_every_kustomization_in_the_tree_is_rendered_by_these_tests():
    found = set()
    for k in DEPLOY.rglob("kustomization.yaml"):
        if yaml.safe_load(k.read_text()).get("kind") != "Component":
            found.add(str(k.parent.relative_to(DEPLOY)))
    assert found == set(KUSTOMIZATIONS)


def test_strict_validation_rejects_an_unknown_field_and_a_wrong_type():
    docs = render("overlays/sweep")
    job = find(docs, "Job", SHARDS_JOB)
    squall_container(job)["argz"] = ["--shards", "8"]
    assert any("argz" in e for e in validation_errors(docs, "1.30.0"))
    docs = render("overlays/sweep")
    find(docs, "Job", SHARDS_JOB)["spec"]["completions"] = "8"
    assert any("completions" in e for e in validation_errors(docs, "1.30.0"))


def test_validation_rejects_a_kind_it_has_no_schema_for():
    assert validation_errors([{"apiVersion": "batch/v1", "kind": "IndexedJob", "metadata": {"name": "x"}}], "1.30.0")


# ---------- the sharding contract ----------

VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def expand(text, env):
    """Kubernetes' $(VAR) expansion: defined variables are replaced, $$ escapes, others stay."""
    out, i = [], 0
    while i < len(text):
        if text.startswith("$$", i):
            out.append("$")
            i += 2
            continue
        m = VAR.match(text, i)
        if m and m.group(1) in env:
            out.append(env[m.group(1)])
            i = m.end()
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def container_env(container, cms, extra=None, translate=lambda s: s):
    """The environment Kubernetes gives a container (envFrom, then env in order), with ConfigMaps
    resolved from the rendering and missing optional Secrets left out."""
    env = dict(extra or {})
    for src in container.get("envFrom", []):
        if "configMapRef" in src:
            env.update(cms.get(src["configMapRef"]["name"], {}))
    for e in container.get("env", []):
        if "value" in e:
            env[e["name"]] = expand(translate(e["value"]), env)
        elif "configMapKeyRef" in e.get("valueFrom", {}):
            ref = e["valueFrom"]["configMapKeyRef"]
            if ref["name"] in cms and ref["key"] in cms[ref["name"]]:
                env[e["name"]] = cms[ref["name"]][ref["key"]]
    return env


def sharding_problems(docs):
    """What is inconsistent in a rendered sharded run (an empty list when it holds together)."""
    problems = []
    jobs = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Job"}
    if set(jobs) != {SHARDS_JOB, MERGE_JOB}:
        return [f"expected the Jobs {SHARDS_JOB} and {MERGE_JOB}, found {sorted(jobs)}"]
    shards, merge = jobs[SHARDS_JOB], jobs[MERGE_JOB]
    cms = configmaps(docs)
    spec = shards["spec"]
    n = spec.get("completions")
    if spec.get("completionMode") != "Indexed":
        problems.append("shards: completionMode must be Indexed (JOB_COMPLETION_INDEX)")
    if not isinstance(n, int) or n < 1:
        problems.append("shards: completions must be N >= 1")
        return problems
    if not 1 <= spec.get("parallelism", 1) <= n:
        problems.append(f"shards: parallelism {spec.get('parallelism')} outside 1..completions {n}")
    if spec.get("backoffLimitPerIndex") is None:
        problems.append("shards: backoffLimitPerIndex is not set")
    if not 0 <= spec.get("maxFailedIndexes", 0) <= n:
        problems.append("shards: maxFailedIndexes outside 0..completions")
    if merge["spec"].get("suspend") is not True:
        problems.append("merge: must be created suspended (resumed once the shards completed)")
    if merge["spec"].get("completionMode", "NonIndexed") != "NonIndexed" or merge["spec"].get("completions", 1) != 1:
        problems.append("merge: must be one pod")
    for job in (shards, merge):
        name = job["metadata"]["name"]
        pspec = pod_spec(job)
        if pspec.get("restartPolicy") != "Never":
            problems.append(f"{name}: restartPolicy must be Never (podFailurePolicy needs it; exit codes stay readable)")
        for key in ("activeDeadlineSeconds", "ttlSecondsAfterFinished"):
            if not isinstance(job["spec"].get(key), int):
                problems.append(f"{name}: {key} is not set")
        names = {c["name"] for c in all_containers(pspec)}
        for rule in job["spec"].get("podFailurePolicy", {}).get("rules", []):
            cname = rule.get("onExitCodes", {}).get("containerName")
            if cname is not None and cname not in names:
                problems.append(f"{name}: podFailurePolicy names container {cname}, which the pod does not have")
    # The one N: completions = the squall-run ConfigMap's shards = --shards / --shard …/N.
    sq = squall_container(shards)
    env = container_env(sq, cms)
    if env.get("SQUALL_SHARDS") not in (None, str(n)):
        problems.append(f"shards: squall-run shards={env.get('SQUALL_SHARDS')} but completions={n}")
    args = [expand(a, env) for a in sq.get("command", []) + sq.get("args", [])]
    if "--shards" in args:
        value = args[args.index("--shards") + 1] if args.index("--shards") + 1 < len(args) else ""
        if value != str(n):
            problems.append(f"shards: --shards {value} but completions={n}")
    elif "--shard" in args:
        value = args[args.index("--shard") + 1] if args.index("--shard") + 1 < len(args) else ""
        if value != f"$(JOB_COMPLETION_INDEX)/{n}":
            problems.append(f"shards: --shard {value} is not $(JOB_COMPLETION_INDEX)/{n}")
    else:
        problems.append("shards: the squall command has neither --shards N nor --shard $(JOB_COMPLETION_INDEX)/N")
    live = "load" in args[1:2] or ("run" in args[1:2] and "--mode" in args and args[args.index("--mode") + 1:][:1] == ["live"])
    if live and spec.get("parallelism") != n:
        problems.append(f"shards: a live load or run needs every shard at once: parallelism {spec.get('parallelism')} != {n}")
    if "run" in args[1:2] and live and ("--run-id" not in args or "--llm-url" not in args):
        problems.append("shards: a sharded live run needs --run-id (shared by every shard) and --llm-url (one mock)")
    if "--out" not in args:
        problems.append("shards: the squall command has no --out")
        return problems
    out = args[args.index("--out") + 1]
    # The merge reads the directory the shards write, on the same volume, for the same N.
    mc = [c for c in pspec_containers(merge) if c["name"] == "merge"]
    if len(mc) != 1:
        return problems + ["merge: no container named merge"]
    menv = container_env(mc[0], cms)
    script = " ".join(expand(a, menv) for a in mc[0].get("command", []) + mc[0].get("args", []))
    script = re.sub(r'"\$([A-Z_]+)"|\$([A-Z_]+)', lambda m: menv.get(m.group(1) or m.group(2), m.group(0)), script)
    if "/app/squall merge" not in script:
        problems.append("merge: does not run /app/squall merge")
    glob = f"{out}/part-*-of-{n}"
    if glob not in script.replace('"', ""):
        problems.append(f"merge: does not read {glob} (the shards write {out}/part-<I>-of-{n}/)")
    for job in (shards, merge):
        sq_or_merge = squall_container(job) if job is shards else mc[0]
        mount = volume_for(pod_spec(job), sq_or_merge, out)
        if mount is None:
            problems.append(f"{job['metadata']['name']}: no volume is mounted at {out}")
    svol = volume_for(pod_spec(shards), squall_container(shards), out)
    mvol = volume_for(pod_spec(merge), mc[0], out)
    if svol and mvol:
        if "persistentVolumeClaim" in svol or "persistentVolumeClaim" in mvol:
            sc = svol.get("persistentVolumeClaim", {}).get("claimName")
            mcn = mvol.get("persistentVolumeClaim", {}).get("claimName")
            if sc != mcn:
                problems.append(f"shards write to claim {sc}, merge reads claim {mcn}")
            else:
                pvcs = [d for d in docs if d["kind"] == "PersistentVolumeClaim" and d["metadata"]["name"] == sc]
                if not pvcs or "ReadWriteMany" not in pvcs[0]["spec"].get("accessModes", []):
                    problems.append(f"claim {sc}: not in the rendering or not ReadWriteMany")
        elif not ([c for c in pspec_containers(shards) if c["name"] != "squall"]
                  and pod_spec(merge).get("initContainers")):
            problems.append("parts on a per-pod volume but no upload step in the shards or download step in the merge")
    return problems


def pspec_containers(job):
    return all_containers(pod_spec(job))


def volume_for(pspec, container, path):
    """The pod volume that holds `path` in `container` (longest mount path wins)."""
    best = None
    for m in container.get("volumeMounts", []):
        mp = m["mountPath"].rstrip("/")
        if (path == mp or path.startswith(mp + "/")) and (best is None or len(mp) > len(best["mountPath"])):
            best = m
    if best is None:
        return None
    vols = [v for v in pspec.get("volumes", []) if v["name"] == best["name"]]
    return vols[0] if vols else None


def reference_problems(docs):
    """Dangling references, undefined $(VAR)s and missing hardening, over every pod template."""
    problems = []
    present = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for d in docs:
        if d["kind"] not in ("Job", "Deployment", "Pod"):
            continue
        pspec = d["spec"] if d["kind"] == "Pod" else d["spec"]["template"]["spec"]
        where = f"{d['kind']}/{d['metadata']['name']}"
        sc = pspec.get("securityContext", {})
        if sc.get("runAsNonRoot") is not True or sc.get("runAsUser") != SQUALL_UID:
            problems.append(f"{where}: must run as non-root user {SQUALL_UID}")
        if pspec.get("automountServiceAccountToken") is not False:
            problems.append(f"{where}: mounts a service account token it does not need")
        refs = []
        vnames = set()
        for v in pspec.get("volumes", []):
            vnames.add(v["name"])
            if "configMap" in v:
                refs.append(("ConfigMap", v["configMap"]["name"], v["configMap"].get("optional", False)))
            if "persistentVolumeClaim" in v:
                refs.append(("PersistentVolumeClaim", v["persistentVolumeClaim"]["claimName"], False))
        for c in all_containers(pspec):
            cw = f"{where} container {c['name']}"
            csc = c.get("securityContext", {})
            if not (csc.get("allowPrivilegeEscalation") is False and csc.get("readOnlyRootFilesystem") is True
                    and csc.get("capabilities", {}).get("drop") == ["ALL"]):
                problems.append(f"{cw}: needs allowPrivilegeEscalation false, readOnlyRootFilesystem, drop ALL")
            res = c.get("resources", {})
            for part in ("requests", "limits"):
                if not {"cpu", "memory"} <= set(res.get(part, {})):
                    problems.append(f"{cw}: resources.{part} needs cpu and memory")
            for m in c.get("volumeMounts", []):
                if m["name"] not in vnames:
                    problems.append(f"{cw}: mounts undefined volume {m['name']}")
            for src in c.get("envFrom", []):
                for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                    if key in src:
                        refs.append((kind, src[key]["name"], src[key].get("optional", False)))
            defined = set()
            for src in c.get("envFrom", []):
                ref = src.get("configMapRef")
                if ref:
                    defined |= set(next((x.get("data", {}) for x in docs if x["kind"] == "ConfigMap"
                                         and x["metadata"]["name"] == ref["name"]), {}))
            for e in c.get("env", []):
                for var in VAR.findall(e.get("value", "")):
                    if var not in defined:
                        problems.append(f"{cw}: env {e['name']} uses $({var}) before it is defined")
                ref = e.get("valueFrom", {}).get("configMapKeyRef")
                if ref:
                    refs.append(("ConfigMap", ref["name"], ref.get("optional", False)))
                defined.add(e["name"])
            indexed = d["kind"] == "Job" and d["spec"].get("completionMode") == "Indexed"
            for text in c.get("command", []) + c.get("args", []):
                for var in VAR.findall(text):
                    if var not in defined and not (indexed and var == "JOB_COMPLETION_INDEX"):
                        problems.append(f"{cw}: uses $({var}), which the container does not define")
        for kind, name, optional in refs:
            if (kind, name) in present:
                continue
            if (kind, name) in EXTERNAL and optional:
                continue
            problems.append(f"{where}: references {kind}/{name}, which is neither rendered nor an optional external object")
    return problems


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_shards_and_merge_agree_on_n_paths_and_volume(name):
    assert sharding_problems(render(name)) == []


@pytest.mark.parametrize("name", KUSTOMIZATIONS)
def test_references_resolve_and_pods_are_hardened(name):
    assert reference_problems(render(name)) == []


def test_the_standalone_report_reader_mounts_the_parts_claim_read_only():
    pod = yaml.safe_load((DEPLOY / "tools/report-reader.yaml").read_text())
    claim = find(render("base"), "PersistentVolumeClaim", "squall-parts")
    vol = pod["spec"]["volumes"][0]
    assert vol["persistentVolumeClaim"] == {"claimName": claim["metadata"]["name"], "readOnly": True}
    assert reference_problems([pod, claim]) == []


def test_the_uses_run_the_commands_they_say():
    def args(name):
        return squall_container(find(render(name), "Job", SHARDS_JOB))["args"]
    assert args("overlays/sweep")[:2] == ["sweep", "/scenarios/scenario.yaml"]
    assert args("overlays/run")[:4] == ["run", "/scenarios/scenario.yaml", "--mode", "sim"]
    assert args("overlays/load")[0] == "load"
    live = args("overlays/live-run")
    assert live[:4] == ["run", "/scenarios/scenario.yaml", "--mode", "live"]
    assert live[live.index("--run-id") + 1] == "$(SQUALL_RUN)"
    assert live[live.index("--llm-url") + 1] == "http://squall-mock:8080"
    assert args("overlays/sweep-object-store") == args("overlays/sweep")


@pytest.mark.parametrize("breakage, expected", [
    (lambda d: find(d, "Job", SHARDS_JOB)["spec"].update(completions=6), "completions=6"),
    (lambda d: next(c for c in d if c["kind"] == "ConfigMap" and c["data"].get("shards"))["data"].update(shards="3"),
     "shards=3"),
    (lambda d: find(d, "Job", SHARDS_JOB)["spec"].update(parallelism=12), "parallelism 12"),
    (lambda d: squall_container(find(d, "Job", SHARDS_JOB))["args"].remove("--shards"), "neither --shards"),
    (lambda d: squall_container(find(d, "Job", SHARDS_JOB))["args"].__setitem__(
        -1, "$(SQUALL_DATA)/elsewhere"), "does not read"),
    (lambda d: pod_spec(find(d, "Job", MERGE_JOB))["volumes"][0]["persistentVolumeClaim"].update(
        claimName="other"), "merge reads claim other"),
    (lambda d: pod_spec(find(d, "Job", MERGE_JOB))["containers"][0]["volumeMounts"][0].update(
        mountPath="/mnt"), "no volume is mounted"),
    (lambda d: find(d, "Job", MERGE_JOB)["spec"].pop("suspend"), "suspended"),
    (lambda d: pod_spec(find(d, "Job", SHARDS_JOB)).update(restartPolicy="OnFailure"), "restartPolicy"),
    (lambda d: find(d, "Job", SHARDS_JOB)["spec"].pop("completionMode"), "Indexed"),
    (lambda d: find(d, "Job", MERGE_JOB)["spec"].pop("activeDeadlineSeconds"), "activeDeadlineSeconds"),
    (lambda d: find(d, "Job", SHARDS_JOB)["spec"]["podFailurePolicy"]["rules"][0]["onExitCodes"].update(
        containerName="shard"), "container shard"),
])
def test_the_sharding_check_rejects_a_broken_rendering(breakage, expected):
    docs = render("overlays/sweep")
    breakage(docs)
    problems = sharding_problems(docs)
    assert any(expected in p for p in problems), problems


def test_the_sharding_check_rejects_a_load_that_does_not_run_every_shard_at_once():
    docs = render("overlays/load")
    find(docs, "Job", SHARDS_JOB)["spec"]["parallelism"] = 2
    assert any("every shard at once" in p for p in sharding_problems(docs))


def test_the_sharding_check_rejects_a_live_run_not_all_at_once_or_without_its_run_id():
    docs = render("overlays/live-run")
    assert sharding_problems(docs) == []
    find(docs, "Job", SHARDS_JOB)["spec"]["parallelism"] = 2
    assert any("every shard at once" in p for p in sharding_problems(docs))
    docs = render("overlays/live-run")
    args = squall_container(find(docs, "Job", SHARDS_JOB))["args"]
    i = args.index("--run-id")
    del args[i:i + 2]
    assert any("--run-id" in p for p in sharding_problems(docs))


def test_the_sharding_check_rejects_per_pod_parts_without_upload_and_download():
    docs = render("overlays/sweep")
    for job in (find(docs, "Job", SHARDS_JOB), find(docs, "Job", MERGE_JOB)):
        pod_spec(job)["volumes"][0] = {"name": "parts", "emptyDir": {}}
    assert any("no upload step" in p for p in sharding_problems(docs))


@pytest.mark.parametrize("breakage, expected", [
    (lambda d: squall_container(find(d, "Job", SHARDS_JOB))["env"].pop(0), "$(SQUALL_RUN)"),
    (lambda d: squall_container(find(d, "Job", SHARDS_JOB))["args"].append("$(SHARD_INDEX)"), "$(SHARD_INDEX)"),
    (lambda d: pod_spec(find(d, "Job", SHARDS_JOB))["volumes"][1]["configMap"].pop("optional"),
     "ConfigMap/squall-scenario"),
    (lambda d: pod_spec(find(d, "Job", SHARDS_JOB))["volumes"].pop(2), "undefined volume tmp"),
    (lambda d: pod_spec(find(d, "Job", MERGE_JOB))["securityContext"].pop("runAsNonRoot"), "non-root"),
    (lambda d: squall_container(find(d, "Job", SHARDS_JOB))["securityContext"].pop("readOnlyRootFilesystem"),
     "readOnlyRootFilesystem"),
    (lambda d: squall_container(find(d, "Job", SHARDS_JOB))["resources"].pop("limits"), "resources.limits"),
    (lambda d: [x for x in d if x["kind"] == "ConfigMap"][0]["metadata"].update(name="gone"), "ConfigMap/squall-run"),
])
def test_the_reference_check_rejects_a_broken_rendering(breakage, expected):
    docs = render("overlays/sweep")
    breakage(docs)
    problems = reference_problems(docs)
    assert any(expected in p for p in problems), problems


# ---------- running the pods' commands here ----------

def fake_bin(tmp_path):
    """A directory with `squall`, `aws` and `kubectl` stand-ins, first on PATH."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    for name, script in (("squall", "fake_squall.py"), ("aws", "fake_aws.py"), ("kubectl", "fake_kubectl.py")):
        p = bindir / name
        p.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKES / script}" "$@"\n')
        p.chmod(0o755)
    return bindir


class Cluster:
    """Runs a rendered Job's pods here: init containers in order, then the main containers
    concurrently, with each volume mapped to a directory (PVCs shared between pods, emptyDirs
    per pod, ConfigMaps from the rendering or `external`) and /app/squall to the stand-in."""

    def __init__(self, docs, tmp_path, external=None, env=None):
        self.docs, self.tmp, self.cms = docs, tmp_path, configmaps(docs)
        self.cms.update(external or {})
        self.bindir = fake_bin(tmp_path)
        self.s3 = tmp_path / "s3"
        self.s3.mkdir(exist_ok=True)
        self.extra_env = env or {}
        self.pods = 0

    def volume_dir(self, vol):
        if "persistentVolumeClaim" in vol:
            d = self.tmp / "pvc" / vol["persistentVolumeClaim"]["claimName"]
        elif "configMap" in vol:
            d = self.tmp / f"pod{self.pods}" / ("cm-" + vol["name"])
            d.mkdir(parents=True, exist_ok=True)
            for key, value in self.cms.get(vol["configMap"]["name"], {}).items():
                (d / key).write_text(value)
        else:
            d = self.tmp / f"pod{self.pods}" / ("vol-" + vol["name"])
        d.mkdir(parents=True, exist_ok=True)
        return d

    def run_job(self, name, index=None):
        """Runs one pod of the Job; returns {container name: exit code}."""
        job = find(self.docs, "Job", name)
        pspec = pod_spec(job)
        self.pods += 1
        vols = {v["name"]: self.volume_dir(v) for v in pspec.get("volumes", [])}
        codes = {}
        for c in pspec.get("initContainers", []):
            codes[c["name"]] = self.finish(self.start(c, vols, index))
            if codes[c["name"]] != 0:
                return codes
        started = {c["name"]: self.start(c, vols, index) for c in pspec["containers"]}
        for cname, proc in started.items():
            codes[cname] = self.finish(proc)
        return codes

    @staticmethod
    def finish(started):
        proc, log = started
        try:
            return proc.wait(timeout=60)
        finally:
            log.close()

    def start(self, c, vols, index):
        mounts = sorted(((m["mountPath"].rstrip("/"), str(vols[m["name"]])) for m in c.get("volumeMounts", [])),
                        key=lambda m: -len(m[0]))
        pattern = re.compile(r'(?<![\w./-])(' + "|".join(re.escape(m[0]) for m in mounts + [("/app/squall", "")])
                             + r')(?=/|$|[\s"\'])') if mounts else None
        table = dict(mounts)
        table["/app/squall"] = str(self.bindir / "squall")

        def translate(s):
            return pattern.sub(lambda m: table[m.group(1)], s) if pattern else s

        base = {"PATH": f"{self.bindir}:/usr/bin:/bin", "FAKE_S3_ROOT": str(self.s3)}
        base.update(self.extra_env)
        if index is not None:
            base["JOB_COMPLETION_INDEX"] = str(index)
        env = container_env(c, self.cms, base, translate)
        # Mount paths are translated in the manifest's own text, before $(VAR) expansion, so a
        # translated path is never translated twice.
        argv = [expand(translate(a), env) for a in c.get("command", []) + c.get("args", [])]
        log = open(self.tmp / f"pod{self.pods}-{c['name']}.log", "w")
        return subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.tmp), log

    def run_all_shards(self, skip=()):
        job = find(self.docs, "Job", SHARDS_JOB)
        return [self.run_job(SHARDS_JOB, i) for i in range(job["spec"]["completions"]) if i not in skip]

    def logs(self):
        return "\n".join(f"--- {p.name}\n{p.read_text()}" for p in sorted(self.tmp.glob("pod*.log")))


SCENARIO = {"squall-scenario": {"scenario.yaml": "name: example\nduration: 1h\n"}}


def run_id(docs):
    return next(c["data"]["run"] for c in docs if c["kind"] == "ConfigMap" and "run" in c.get("data", {}))


@pytest.mark.parametrize("name", ["base", "overlays/sweep", "overlays/run", "overlays/load", "overlays/live-run"])
@pytest.mark.parametrize("verdict", [0, 1])
def test_shards_then_merge_on_the_shared_volume_give_the_merge_verdict(name, verdict, tmp_path):
    docs = render(name)
    cluster = Cluster(docs, tmp_path, SCENARIO, {"FAKE_VERDICT": str(verdict)})
    for codes in cluster.run_all_shards():
        assert set(codes.values()) == {0}, cluster.logs()
    n = find(docs, "Job", SHARDS_JOB)["spec"]["completions"]
    run_dir = tmp_path / "pvc" / "squall-parts" / "runs" / run_id(docs)
    assert sorted(p.name for p in (run_dir / "parts").iterdir()) == sorted(f"part-{i}-of-{n}" for i in range(n))
    codes = cluster.run_job(MERGE_JOB)
    assert codes == {"merge": verdict}, cluster.logs()
    assert json.loads((run_dir / "report" / "summary.json").read_text())["parts"] == n


@pytest.mark.parametrize("verdict", [0, 1])
def test_shards_then_merge_through_the_object_store_give_the_merge_verdict(verdict, tmp_path):
    docs = render("overlays/sweep-object-store")
    assert not [d for d in docs if d["kind"] == "PersistentVolumeClaim"]
    cluster = Cluster(docs, tmp_path, SCENARIO, {"FAKE_VERDICT": str(verdict)})
    for codes in cluster.run_all_shards():
        assert codes == {"squall": 0, "upload": 0}, cluster.logs()
    bucket = configmaps(docs)
    uri = next(v["SQUALL_S3_URI"] for v in bucket.values() if "SQUALL_S3_URI" in v)
    prefix = tmp_path / "s3" / uri[len("s3://"):] / "runs" / run_id(docs)
    n = find(docs, "Job", SHARDS_JOB)["spec"]["completions"]
    assert sorted(p.name for p in (prefix / "parts").iterdir()) == sorted(f"part-{i}-of-{n}" for i in range(n))
    codes = cluster.run_job(MERGE_JOB)
    assert codes == {"download": 0, "merge": verdict, "upload-report": 0}, cluster.logs()
    assert (prefix / "merge.exit").read_text().strip() == str(verdict)
    assert json.loads((prefix / "report" / "summary.json").read_text())["parts"] == n


def test_a_missing_shard_makes_the_merge_exit_2(tmp_path):
    docs = render("overlays/sweep")
    cluster = Cluster(docs, tmp_path, SCENARIO)
    cluster.run_all_shards(skip={3})
    assert cluster.run_job(MERGE_JOB) == {"merge": 2}


def test_a_merge_reading_another_directory_finds_no_parts(tmp_path):
    docs = render("overlays/sweep")
    env = pod_spec(find(docs, "Job", MERGE_JOB))["containers"][0]["env"]
    next(e for e in env if e["name"] == "SQUALL_RUN_DIR")["value"] = "$(SQUALL_DATA)/runs/other"
    cluster = Cluster(docs, tmp_path, SCENARIO)
    cluster.run_all_shards()
    assert cluster.run_job(MERGE_JOB) == {"merge": 2}


def test_a_missing_scenario_configmap_is_a_shard_exit_2(tmp_path):
    cluster = Cluster(render("overlays/sweep"), tmp_path)
    assert cluster.run_job(SHARDS_JOB, 0) == {"squall": 2}


def test_a_failed_shard_uploads_nothing(tmp_path):
    docs = render("overlays/sweep-object-store")
    cluster = Cluster(docs, tmp_path)  # no scenario ConfigMap: squall exits 2, before the upload step
    assert cluster.run_job(SHARDS_JOB, 0) == {"squall": 2}
    assert not any((tmp_path / "s3").rglob("part.json"))


def test_an_upload_to_the_wrong_prefix_leaves_the_merge_without_parts(tmp_path):
    docs = render("overlays/sweep-object-store")
    upload = pod_spec(find(docs, "Job", SHARDS_JOB))["containers"][0]
    upload["args"][0] = upload["args"][0].replace("runs/$SQUALL_RUN/parts/", "runs/$SQUALL_RUN/partz/")
    assert "partz" in upload["args"][0]
    cluster = Cluster(docs, tmp_path, SCENARIO)
    cluster.run_all_shards()
    assert cluster.run_job(MERGE_JOB)["merge"] == 2


def test_a_per_run_ci_layer_renders_and_runs(tmp_path):
    """The layering docs/scale-out.md shows for CI: a fresh run id, the image tag and the bucket."""
    layer = tmp_path / "ci"
    layer.mkdir()
    (layer / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        f"resources: [{os.path.relpath(DEPLOY / 'overlays/sweep-object-store', layer)}]\n"
        "configMapGenerator:\n"
        "  - {name: squall-run, behavior: merge, literals: [run=ci-4711]}\n"
        "  - {name: squall-object-store, behavior: merge, literals: ['SQUALL_S3_URI=s3://team-bucket/squall']}\n"
        "images:\n  - {name: squall-cli, newName: registry.example.com/squall-cli, newTag: 0.1.0}\n")
    docs = render_dir(layer)
    assert validation_errors(docs, "1.30.0") == []
    assert sharding_problems(docs) == [] and reference_problems(docs) == []
    assert squall_container(find(docs, "Job", SHARDS_JOB))["image"] == "registry.example.com/squall-cli:0.1.0"
    (tmp_path / "run").mkdir()
    cluster = Cluster(docs, tmp_path / "run", SCENARIO)
    for codes in cluster.run_all_shards():
        assert codes == {"squall": 0, "upload": 0}, cluster.logs()
    assert cluster.run_job(MERGE_JOB)["merge"] == 0
    assert (tmp_path / "run" / "s3" / "team-bucket" / "squall" / "runs" / "ci-4711" / "merge.exit").exists()


# ---------- deploy/kubernetes/verdict.sh ----------

def run_verdict(tmp_path, state, *args):
    bindir = fake_bin(tmp_path)
    state_file, log_file = tmp_path / "kubectl-state.json", tmp_path / "kubectl.log"
    state_file.write_text(json.dumps(state))
    log_file.write_text("")
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "FAKE_KUBECTL_STATE": str(state_file), "FAKE_KUBECTL_LOG": str(log_file)}
    done = subprocess.run(["bash", str(DEPLOY / "verdict.sh"), "--poll", "0", *args],
                          env=env, capture_output=True, text=True, timeout=60)
    calls = [json.loads(line) for line in log_file.read_text().splitlines()]
    return done, calls


def job(*conditions, **extra):
    return dict(conditions=list(conditions), **extra)


@pytest.mark.parametrize("verdict", [0, 1, 2, 3])
def test_verdict_waits_for_the_shards_resumes_the_merge_and_exits_with_its_code(verdict, tmp_path):
    state = {"jobs": {SHARDS_JOB: job("", "SuccessCriteriaMet=True", "SuccessCriteriaMet=True\nComplete=True"),
                      MERGE_JOB: job("Suspended=True", "Failed=True" if verdict else "Complete=True")},
             "pods": f"squall-merge-abc {verdict}\n", "logs": "FAIL example: 1/2 expectations held"}
    done, calls = run_verdict(tmp_path, state)
    assert done.returncode == verdict, done.stderr
    assert "FAIL example" in done.stdout
    patch = calls.index(["patch", "job", MERGE_JOB, "--type=merge", "-p", '{"spec":{"suspend":false}}'])
    shard_polls = [i for i, c in enumerate(calls) if c[:3] == ["get", "job", SHARDS_JOB]]
    assert len(shard_polls) == 3 and max(shard_polls) < patch


def test_verdict_reads_the_newest_merge_pod(tmp_path):
    state = {"jobs": {SHARDS_JOB: job("Complete=True"), MERGE_JOB: job("Failed=True")},
             "pods": "squall-merge-old 3\nsquall-merge-new 1\n"}
    done, calls = run_verdict(tmp_path, state, "-n", "ci")
    assert done.returncode == 1
    assert ["--namespace", "ci", "logs", "squall-merge-new", "-c", "merge"] in calls


def test_verdict_does_not_merge_after_a_failed_shard(tmp_path):
    state = {"jobs": {SHARDS_JOB: job("Failed=True", failedIndexes="3", reason="FailedIndexes: Job has failed indexes"),
                      MERGE_JOB: job("Suspended=True")}}
    done, calls = run_verdict(tmp_path, state)
    assert done.returncode == 3
    assert "failed indexes: 3" in done.stderr
    assert not [c for c in calls if c[0] == "patch"]


@pytest.mark.parametrize("pods, expected", [("squall-merge-x 137\n", "killed"), ("squall-merge-x \n", "no exit code"),
                                            ("", "no exit code")])
def test_verdict_is_3_when_the_merge_gave_no_verdict(pods, expected, tmp_path):
    state = {"jobs": {SHARDS_JOB: job("Complete=True"), MERGE_JOB: job("Failed=True")}, "pods": pods}
    done, _ = run_verdict(tmp_path, state)
    assert done.returncode == 3 and expected in done.stderr


@pytest.mark.parametrize("failing", ["get job", "patch job", "get pods"])
def test_verdict_turns_a_failed_kubectl_call_into_3_not_a_verdict(failing, tmp_path):
    state = {"jobs": {SHARDS_JOB: job("Complete=True"), MERGE_JOB: job("Complete=True")},
             "pods": "squall-merge-x 0\n", "fail": [failing]}
    done, _ = run_verdict(tmp_path, state)
    assert done.returncode == 3, done.stderr


def test_verdict_times_out_with_3(tmp_path):
    state = {"jobs": {SHARDS_JOB: job("SuccessCriteriaMet=False"), MERGE_JOB: job("Suspended=True")}}
    done, calls = run_verdict(tmp_path, state, "--timeout", "0")
    assert done.returncode == 3 and "has not finished" in done.stderr
    assert not [c for c in calls if c[0] == "patch"]


@pytest.mark.parametrize("args", [["--bogus"], ["--timeout", "soon"], ["--timeout"]])
def test_verdict_rejects_bad_arguments_with_2(args, tmp_path):
    done, calls = run_verdict(tmp_path, {"jobs": {}}, *args)
    assert done.returncode == 2 and calls == []


# ---------- the Dockerfile's targets ----------

def dockerfile_problems(text):
    stages, users, entrypoints = [], {}, {}
    current = None
    for line in text.splitlines():
        m = re.match(r"FROM\s+(\S+)(?:\s+AS\s+(\S+))?\s*$", line, re.I)
        if m:
            current = m.group(2) or f"#{len(stages)}"
            stages.append((current, m.group(1)))
        elif current and line.startswith("USER "):
            users[current] = line.split()[1]
        elif current and line.startswith("ENTRYPOINT "):
            entrypoints[current] = json.loads(line[len("ENTRYPOINT "):])
    names = [s for s, _ in stages]
    parent = dict(stages)
    problems = []
    if not stages or names[-1] != "service":
        problems.append("the service image must stay the default: the last stage, named service")
    if "cli" not in names:
        problems.append("no stage named cli")

    def inherited(stage, table):
        while stage in parent:
            if stage in table:
                return table[stage]
            stage = parent[stage]
        return None
    for stage in ("cli", "service"):
        if stage in names:
            if inherited(stage, users) != f"{SQUALL_UID}:{SQUALL_UID}":
                problems.append(f"{stage}: USER is not {SQUALL_UID}:{SQUALL_UID}")
            if inherited(stage, entrypoints) != ["/app/squall"]:
                problems.append(f"{stage}: ENTRYPOINT is not /app/squall")
    return problems


def test_the_dockerfile_has_a_cli_target_and_keeps_the_service_image_the_default():
    assert dockerfile_problems((REPO / "Dockerfile").read_text()) == []


def test_the_dockerfile_check_rejects_a_broken_dockerfile():
    text = (REPO / "Dockerfile").read_text()
    assert any("default" in p for p in dockerfile_problems(text + "\nFROM runtime AS extra\n"))
    assert any("no stage named cli" in p for p in dockerfile_problems(text.replace("AS cli", "AS tool")))
    assert any("USER" in p for p in dockerfile_problems(text.replace("USER 10001:10001", "USER squall")))


@pytest.mark.parametrize("name", KUSTOMIZATIONS + STANDALONE)
def test_every_image_is_pinned_and_squall_runs_as_the_cli_image_builds_it(name):
    docs = render(name) if name in KUSTOMIZATIONS else list(yaml.safe_load_all((DEPLOY / name).read_text()))
    assert image_problems(docs) == []


def image_problems(docs):
    problems = []
    for d in docs:
        if d["kind"] not in ("Job", "Deployment", "Pod"):
            continue
        pspec = d["spec"] if d["kind"] == "Pod" else d["spec"]["template"]["spec"]
        for c in all_containers(pspec):
            image = c["image"]
            tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
            if tag in ("", "latest"):
                problems.append(f"{d['metadata']['name']}/{c['name']}: image {image} has no pinned tag")
            if image.split(":")[0].endswith("squall-cli"):
                if image != "squall-cli:0.1.0":
                    problems.append(f"{c['name']}: {image} is not squall-cli:0.1.0 (the base's images: entry)")
                command = c.get("command") or ["/app/squall"]
                if command[0] not in ("/app/squall", "/bin/sh", "sleep"):
                    problems.append(f"{c['name']}: runs {command[0]}, not the image's /app/squall")
    return problems


def test_the_image_check_rejects_an_unpinned_image():
    docs = render("overlays/load")
    find(docs, "Deployment", "squall-mock")["spec"]["template"]["spec"]["containers"][0]["image"] = "squall-cli"
    assert any("no pinned tag" in p for p in image_problems(docs))


# ---------- docs ----------

def test_docs_name_only_paths_that_exist():
    text = (REPO / "docs" / "scale-out.md").read_text()
    paths = set(re.findall(r"deploy/kubernetes/[\w./-]*[\w]", text))
    assert paths, "docs/scale-out.md names no deploy/kubernetes path"
    missing = [p for p in paths if not (REPO / p).exists()]
    assert missing == []
