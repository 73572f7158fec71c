#!/usr/bin/env bash
# Sets up a fresh machine and runs the main job on the shipped example:
# a virtual environment in .venv, taxcalc with its test tools, then the batch on examples/cases.csv.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev,dask]'
mkdir -p out
.venv/bin/taxcalc batch examples/cases.csv -o out/cases-results.csv --errors out/cases-errors.csv
echo "results: out/cases-results.csv   (open the terminal UI with: .venv/bin/taxcalc)"
