#!/usr/bin/env bash
# Regenerates dicom/Generated/ (tag keywords, data dictionary tables, registered UIDs) from
# dcmtk's dicom.dic and private.dic and pydicom's _uid_dict.py, which is generated from PS3.6.
# The output is committed, so building never needs these inputs; run this after a Debian
# upgrade brings newer dictionaries, then review the diff.
#
# Usage: tools/generate-dictionary.sh    (needs apt-get: run as root or with sudo available)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

if ! dpkg-query -W -f '${Status}' dcmtk 2>/dev/null | grep -q "install ok installed"; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq dcmtk
fi
# The dictionaries live in a directory named after the library's soname (libdcmtk17, ...).
dicom_dic="$(dpkg -L "$(dpkg-query -W -f '${Depends}' dcmtk | grep -o 'libdcmtk[0-9]*' | head -n1)" | grep '/dicom\.dic$' | head -n1)"
private_dic="$(dirname "$dicom_dic")/private.dic"
dcmtk_version="$(dpkg-query -W -f '${Version}' dcmtk)"

# pydicom is only unpacked, not installed: the table is plain Python data the generator reads.
(cd "$work" && apt-get download python3-pydicom 2>/dev/null || { $sudo apt-get update -qq && apt-get download python3-pydicom; })
deb="$(ls "$work"/python3-pydicom_*.deb)"
dpkg -x "$deb" "$work/pydicom"
uid_dict="$(find "$work/pydicom" -name _uid_dict.py | head -n1)"
pydicom_version="$(dpkg-deb -f "$deb" Version)"

dotnet run --project "$repo/tools/OrleansImaging.DictionaryGenerator" -c Release -- \
  --dicom-dic "$dicom_dic" \
  --private-dic "$private_dic" \
  --uid-dict "$uid_dict" \
  --dcmtk-package "Debian dcmtk $dcmtk_version" \
  --pydicom-package "Debian python3-pydicom $pydicom_version" \
  --out "$repo/dicom/Generated"
