"""A stand-in for the AWS CLI's `aws s3 cp [--recursive] [--only-show-errors] SRC DST` over a local
directory ($FAKE_S3_ROOT/<bucket>/<key>), so the object-store variant's scripts can run here."""
import os
import shutil
import sys

root = os.environ["FAKE_S3_ROOT"]
args = [a for a in sys.argv[1:] if a != "--only-show-errors"]
recursive = "--recursive" in args
args = [a for a in args if a != "--recursive"]
if len(args) != 4 or args[:2] != ["s3", "cp"]:
    print(f"fake aws: unsupported: {sys.argv[1:]}", file=sys.stderr)
    sys.exit(252)
src, dst = args[2:]


def local(p):
    return os.path.join(root, p[len("s3://"):]) if p.startswith("s3://") else p


if src.startswith("s3://") == dst.startswith("s3://"):
    print("fake aws: exactly one side must be s3://", file=sys.stderr)
    sys.exit(252)
s, d = local(src), local(dst)
if recursive:
    if not os.path.isdir(s):
        if src.startswith("s3://"):
            sys.exit(0)  # an empty prefix: nothing to copy, as the real CLI does
        print(f"The user-provided path {src} does not exist.", file=sys.stderr)
        sys.exit(255)
    shutil.copytree(s, d, dirs_exist_ok=True)
else:
    if not os.path.isfile(s):
        print(f"fatal error: {src} does not exist", file=sys.stderr)
        sys.exit(1)
    if dst.endswith("/"):
        d = os.path.join(d, os.path.basename(s))
    os.makedirs(os.path.dirname(d), exist_ok=True)
    shutil.copyfile(s, d)
