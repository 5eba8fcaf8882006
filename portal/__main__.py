import sys

from portal import main

sys.exit(main())
