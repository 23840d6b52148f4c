"""``python -m sgviz.engine run FILE.json [--format text|jsonl]``; see cli.py."""

import sys

from .cli import main

sys.exit(main())
