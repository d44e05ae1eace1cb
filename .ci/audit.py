"""make audit: check the pinned dependencies for known vulnerabilities with pip-audit.

pip-audit prints "No known vulnerabilities found" even when it could not look a package up, so
this reads its JSON and says plainly how many packages were really checked. Exit status: 1 when a
vulnerability is known, 0 otherwise (including when the advisory data could not be reached).
"""

import json
import subprocess
import sys
import tempfile

freeze = subprocess.run(
    [sys.executable, "-m", "pip", "freeze", "--exclude-editable"], capture_output=True, text=True, check=True
).stdout
pins = "\n".join(line for line in freeze.splitlines() if not line.startswith(("pip==", "pip-audit", "-e ")))
with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
    handle.write(pins + "\n")
result = subprocess.run(
    [
        sys.executable,
        "-m",
        "pip_audit",
        "-r",
        handle.name,
        "--no-deps",
        "--disable-pip",
        "--format",
        "json",
        "--progress-spinner",
        "off",
    ],
    capture_output=True,
    text=True,
    check=False,
)
try:
    report = json.loads(result.stdout)
except json.JSONDecodeError:
    print("AUDIT NOT DONE: pip-audit could not reach any advisory data.")
    print(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "")
    sys.exit(0)

packages = report.get("dependencies", [])
skipped = [p for p in packages if p.get("skip_reason")]
audited = [p for p in packages if not p.get("skip_reason")]
vulnerable = [p for p in audited if p.get("vulns")]
for package in vulnerable:
    for vuln in package["vulns"]:
        fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
        print(f"VULNERABLE {package['name']} {package['version']}: {vuln['id']} (fixed in {fixes})")
print(
    f"Audited {len(audited)} of {len(packages)} pinned packages; {len(vulnerable)} with known vulnerabilities."
)
if skipped:
    print(
        f"NOT AUDITED: {len(skipped)} package(s), because the advisory data could not be reached from here "
        f"(first reason: {skipped[0]['skip_reason']}). Run `make audit` where PyPI's JSON API is reachable."
    )
sys.exit(1 if vulnerable else 0)
