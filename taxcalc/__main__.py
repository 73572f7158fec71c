"""``python -m taxcalc``: the same as the ``taxcalc`` command."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="taxcalc")
