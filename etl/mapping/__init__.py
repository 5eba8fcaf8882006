"""Row stream -> catalog values, by the printed templates.

The stream (see `etl.document`) is first grouped into items: a label followed by the value cells printed after it
(in the same table row, or, for one-cell-per-line text, on the following lines). A small state machine then walks
the items: anchors (第二十条第（一）项, 申请人情况, 行政复议 …, 统计指标) select which template reads the next rows,
and each template turns a matched row label plus its values into `Value`s. Every numeric cell of a recognised
table becomes a `Cell`, mapped or not.

Where things are:

- `items`        rows -> items (labels and value cells; one-cell-per-line text; flattened lines)
- `walk`         the state machine: anchors, headings, which reader takes a row; `map_rows`
- `section2`     section 二 of the 2019 and 2021 formats (第二十条 tables; the era's column tells)
- `section3`     section 三 of the 2019 and 2021 formats (the application matrix; 2019 vs 2021 by （六）)
- `section4`     section 四 of the 2019 and 2021 formats (review and litigation, 15 cells)
- `statistical`  the 2014 national 统计表 and the pre-2014 local tables (历年累计)
- `emit`         a printed cell -> `Value` and `Cell` (units, blanks, duplicates); `Mapped`, the result
- `anchors`      the words and headings the walk looks for
The templates themselves (labels -> metrics) are data, in `etl.templates`.
"""

from etl.mapping.emit import Mapped
from etl.mapping.items import Item, build_items
from etl.mapping.walk import map_rows

__all__ = ["Item", "Mapped", "build_items", "map_rows"]
