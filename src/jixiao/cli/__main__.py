"""`python -m jixiao.cli`: the same as the `jixiao` command."""

import sys

from jixiao.cli.main import main

sys.exit(main())
