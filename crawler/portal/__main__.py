import sys

from crawler.portal import main

sys.exit(main())
