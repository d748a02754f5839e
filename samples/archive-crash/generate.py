#!/usr/bin/env python3
"""Regenerates the built-in "archive crash" sample incident.

Usage: python3 samples/archive-crash/generate.py

Writes every input file of the sample, and README.md with the ground truth,
next to this script. Python 3 standard library only; one fixed seed, so two
runs produce byte-identical files.

The story follows the Archive incident report (local zone UTC+3, Tuesday
2026-11-17): a config push at 11:20 upgrades archive_auth 1.4 -> 2.0; the
config agent applies it at 11:27 and from then on every login of a logged-out
user fails with an ImportError (HTTP 500) while logged-in traffic is fine; the
fix is pushed at 13:45, gunicorn is restarted at 13:53, users are told at
14:00 and confirm at 14:05.
"""

import csv
import hashlib
import os
import random
import urllib.parse
from datetime import datetime, timedelta, timezone

SEED = 20261117
HERE = os.path.dirname(os.path.abspath(__file__))
LOCAL = timezone(timedelta(hours=3))
UTC = timezone.utc
DAY = datetime(2026, 11, 17, tzinfo=LOCAL)
HOST = "https://archive.example.org"


def at(h, m, s=0, ms=0):
    """Epoch seconds of a local wall-clock time on the incident day."""
    return DAY.replace(hour=h, minute=m, second=s, microsecond=ms * 1000).timestamp()


def at_day(day, h, m, s=0):
    return DAY.replace(day=day, hour=h, minute=m, second=s).timestamp()


# --- The timeline. Everything below is derived from these instants. -------------
TRAFFIC_START = at(9, 0, 0)
TRAFFIC_END = at(15, 30, 0)
ROTATE_AT = at(12, 0, 0)           # access.log.1 holds what came before
GUNICORN_START = at(8, 58, 41)     # 05:58:41 UTC: the day's first boot
CONFIG_PUSH = at(11, 20, 14)       # culprit commit
SYNC_DETECT = at(11, 25, 3)        # config agent (5-minute cycle) sees it
AUTH_INSTALLED = at(11, 26, 58)
INCIDENT_START = at(11, 27, 0)     # auth settings hot-reloaded: logins break
FIRST_500 = at(11, 27, 4, 12)      # first failing POST /login
FIRST_REPORT = at(11, 27, 48)
OUTBOUND_1 = at(12, 10, 22)
PAGE = at(12, 34, 12)
ACK = at(12, 38, 41)
OUTBOUND_TRACED = at(13, 12, 40)   # "we've found the cause" (traced at 13:05)
FIX_PUSH = at(13, 45, 37)
FIX_SYNC = at(13, 50, 2)
LAST_500 = at(13, 53, 1, 240)      # last failing POST /login
RESTART_TERM = at(13, 53, 2)       # gunicorn: Handling signal: term
RESTART_UP = at(13, 53, 5)         # new workers accept requests
FIRST_OK_LOGIN = at(13, 53, 26, 310)
OUTBOUND_FIX = at(14, 0, 9)
CONFIRM = at(14, 5, 31)
RESOLVED = at(14, 10, 55)

rng = random.Random(SEED)


# --- Formatting helpers -----------------------------------------------------------
def loc(t):
    return datetime.fromtimestamp(t, LOCAL)


def utc(t):
    return datetime.fromtimestamp(t, UTC)


def nginx_time(t):
    return loc(t).strftime("%d/%b/%Y:%H:%M:%S +0300")


def app_time(t):
    d = loc(t)
    return d.strftime("%Y-%m-%d %H:%M:%S") + ",%03d" % (d.microsecond // 1000)


def guni_time(t):
    return utc(t).strftime("[%Y-%m-%d %H:%M:%S +0000]")


def iso_z(t):
    return utc(t).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_offset(t):
    return loc(t).strftime("%Y-%m-%d %H:%M:%S +0300")


def hms_local(t):
    return loc(t).strftime("%H:%M:%S")


def hms_utc(t):
    return utc(t).strftime("%H:%M:%S")


# --- Who visits ---------------------------------------------------------------------
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36 Edg/142.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:145.0) Gecko/20100101 Firefox/145.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:145.0) Gecko/20100101 Firefox/145.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPad; CPU OS 18_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/29.0 Chrome/136.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36 OPR/125.0.0.0",
    "Mozilla/5.0 (X11; CrOS x86_64 16433.58.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
]
UA_WEIGHTS = [20, 7, 9, 6, 2, 8, 7, 2, 2, 2, 12, 3, 2, 8, 3, 2, 1, 1]

FIRST = ["anna", "mehmet", "olga", "james", "fatma", "lucas", "sofia", "ivan", "leyla", "peter",
         "noura", "david", "elena", "omar", "marta", "yusuf", "hana", "tom", "zeynep", "ali",
         "irina", "sam", "dilara", "nikos", "grace", "emre", "layla", "pavel", "ruth", "kemal"]
LAST = ["yilmaz", "ivanova", "smith", "demir", "haddad", "novak", "kaya", "petrov", "okafor",
        "celik", "brown", "aydin", "popescu", "nasser", "weber", "sahin", "kovacs", "arslan",
        "morris", "georgiou", "polat", "hughes", "dogan", "bauer", "khalil"]

# First octets of plausible public address space (no private, loopback, CGNAT, docs).
PUBLIC_FIRST_OCTETS = [5, 31, 37, 46, 62, 78, 79, 81, 82, 85, 88, 89, 94, 95, 109, 151, 176,
                       178, 185, 188, 193, 194, 195, 212, 213, 217, 24, 73, 98, 174]


class Visitor:
    def __init__(self, n):
        a = rng.choice(PUBLIC_FIRST_OCTETS)
        self.ip = "%d.%d.%d.%d" % (a, rng.randint(1, 254), rng.randint(0, 255), rng.randint(1, 254))
        self.ua = rng.choices(USER_AGENTS, UA_WEIGHTS)[0]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        style = rng.random()
        self.username = (first[0] + last if style < 0.4 else
                         first + "." + last if style < 0.8 else
                         first + last[:3] + str(rng.randint(1, 99)))
        self.user_id = 10000 + n * 37 + rng.randint(0, 36)
        # Half the members have a long-lived session cookie; the rest must log in.
        self.logged_in = rng.random() < 0.5
        self.assets_cached = rng.random() < 0.35
        self.failed_login = False


VISITORS = [Visitor(i) for i in range(620)]
# A few visitors (libraries, universities) account for much of the traffic.
VISITOR_WEIGHTS = [1.0 / (1 + i) ** 0.55 for i in range(len(VISITORS))]

SEARCH_TERMS = [
    "harbour", "census 1911", "shipping manifest", "parish records", "lighthouse", "tram depot",
    "municipal council minutes", "war diary", "letters 1916", "newspaper 1923", "old town map",
    "railway station", "school photographs", "fire brigade", "market square", "emigration",
    "birth register", "land deeds", "theatre posters", "flood 1937", "customs ledger",
    "cathedral", "bridge construction", "petrov family", "yilmaz", "trade union", "postcards",
    "street names", "ferry timetable", "orphanage", "wedding photographs", "tax rolls 1890",
    "printing press", "guild records", "archive of the mayor", "lighthouse keeper log",
]

STATIC_ASSETS = [
    ("/static/css/portal.3f9a2c71.css", 18734),
    ("/static/js/portal.8b1e4d09.js", 61822),
    ("/static/img/logo.svg", 4410),
    ("/static/fonts/source-serif-4-regular.woff2", 49260),
]

REDIRECT_BODY = 199  # Flask's redirect page, before the target URL twice
INTERNAL_ERROR_BODY = 265  # werkzeug InternalServerError page
NGINX_502_BODY = 157


# --- The three logs that requests write to -------------------------------------------------
access = []   # (end_t, seq, line)
applog = []   # (t, seq, [lines])
gunicorn = []  # (t, seq, line)
_seq = [0]


def seq():
    _seq[0] += 1
    return _seq[0]


def app(t, level, logger, message, extra=()):
    lines = ["%s %s [%s] %s" % (app_time(t), level, logger, message)]
    lines.extend(extra)
    applog.append((t, seq(), lines))


def guni(t, pid, level, message):
    gunicorn.append((t, seq(), "%s [%d] [%s] %s" % (guni_time(t), pid, level, message)))


# --- Python tracebacks as Python 3.11 prints them ---------------------------------------
FLASK = "/srv/archive/venv/lib/python3.11/site-packages/flask/app.py"


def frame(path, line, func, code, expr=None):
    """One frame; with `expr`, the 3.11 caret line under that part of `code`."""
    out = ['  File "%s", line %d, in %s' % (path, line, func), "    " + code]
    if expr is not None:
        start = code.index(expr)
        out.append("    " + " " * start + "^" * len(expr))
    return out


FLASK_FRAMES = (
    frame(FLASK, 1455, "wsgi_app", "response = self.full_dispatch_request()",
          "self.full_dispatch_request()")
    + frame(FLASK, 869, "full_dispatch_request", "rv = self.handle_user_exception(e)",
            "self.handle_user_exception(e)")
    + frame(FLASK, 867, "full_dispatch_request", "rv = self.dispatch_request()",
            "self.dispatch_request()")
    + frame(FLASK, 852, "dispatch_request",
            "return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)  # type: ignore[no-any-return]",
            "self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)")
)

LOGIN_TRACEBACK = (
    ["Traceback (most recent call last):"]
    + FLASK_FRAMES
    + frame("/srv/archive/portal/views.py", 142, "login",
            "user_session = portal_login.authenticate(form.username.data, form.password.data)",
            "portal_login.authenticate(form.username.data, form.password.data)")
    + frame("/srv/archive/scripts/portal_login.py", 57, "authenticate",
            "store = auth_settings.session_store(legacy=True)",
            "auth_settings.session_store(legacy=True)")
    + frame("/srv/archive/config/auth_settings.py", 88, "session_store",
            "from archive_auth.sessions import LegacySessionStore")
    + ["ImportError: cannot import name 'LegacySessionStore' from 'archive_auth.sessions' "
       "(/srv/archive/venv/lib/python3.11/site-packages/archive_auth/sessions.py)"]
)

EXPORT_TRACEBACK = (
    ["Traceback (most recent call last):"]
    + FLASK_FRAMES
    + frame("/srv/archive/portal/views.py", 311, "export",
            "path = exporter.render(item_id, fmt=fmt, timeout=30)",
            "exporter.render(item_id, fmt=fmt, timeout=30)")
    + frame("/srv/archive/portal/export.py", 101, "render",
            'raise TimeoutError(f"export worker timed out after {timeout}s") from None')
    + ["TimeoutError: export worker timed out after 30s"]
)


# --- Serving one request ---------------------------------------------------------
def lognorm(median, sigma):
    return median * rng.lognormvariate(0, sigma)


def log_access(start, rt, v_ip, ua, method, path, status, size, referer):
    end = start + rt
    line = '%s - - [%s] "%s %s HTTP/1.1" %d %d "%s" "%s" %.3f' % (
        v_ip, nginx_time(end), method, path, status, size, referer, ua, rt)
    access.append((end, seq(), line))
    return end


def restarting(t):
    return RESTART_TERM <= t < RESTART_UP


def login_broken(t):
    return INCIDENT_START <= t < RESTART_TERM


def serve(t, v, method, path, referer, ua=None, ip=None):
    """Serves one request of visitor `v` starting at `t`. Returns (end, status)."""
    ua = ua or v.ua
    ip = ip or v.ip
    base = path.split("?", 1)[0]

    if restarting(t) and not base.startswith("/static/"):
        rt = rng.uniform(0.0, 0.002)
        return log_access(t, rt, ip, ua, method, path, 502, NGINX_502_BODY, referer), 502

    if base.startswith("/static/"):
        size = dict(STATIC_ASSETS).get(base) or rng.randint(14000, 62000)
        status = 200
        if v is not None and v.assets_cached:
            status, size = 304, 0
        rt = rng.uniform(0.0, 0.003) if status == 304 else min(0.4, lognorm(0.004, 1.0))
        return log_access(t, rt, ip, ua, method, path, status, size, referer), status

    if base == "/":
        rt = lognorm(0.024, 0.35)
        size = rng.randint(5380, 5620) + (140 if v.logged_in else 0)
        return log_access(t, rt, ip, ua, method, path, 200, size, referer), 200

    if base == "/archive/search":
        rt = lognorm(0.15, 0.55)
        if rng.random() < 0.004:
            rt = rng.uniform(2.1, 3.4)
        q = urllib.parse.parse_qs(path.split("?", 1)[1]).get("q", [""])[0]
        hits = int(lognorm(60, 1.5))
        size = 6900 + min(hits, 20) * 840 + rng.randint(0, 2600)
        end = log_access(t, rt, ip, ua, method, path, 200, size, referer)
        if rt > 2.0:
            app(end - 0.004, "WARNING", "archive.search",
                "slow query q=%r hits=%d took=%dms (threshold 2000ms)" % (q, hits, rt * 1000))
        else:
            app(end - 0.003, "INFO", "archive.search", "q=%r hits=%d took=%dms" % (q, hits, rt * 1000 - 2))
        return end, 200

    if base.startswith("/archive/item/"):
        item = base.rsplit("/", 1)[1]
        if rng.random() < 0.018:
            rt = lognorm(0.012, 0.3)
            return log_access(t, rt, ip, ua, method, path, 404, 3124, referer), 404
        hit = rng.random() < 0.78
        rt = lognorm(0.035 if hit else 0.16, 0.4)
        size = rng.randint(9200, 18400)
        end = log_access(t, rt, ip, ua, method, path, 200, size, referer)
        if hit:
            app(end - 0.002, "INFO", "archive.cache", "item %s cache hit" % item)
        else:
            app(end - 0.002, "INFO", "archive.cache", "item %s cache miss, loaded in %dms" % (item, rt * 1000 - 8))
        return end, 200

    if base == "/archive/export":
        if not v.logged_in:
            rt = lognorm(0.008, 0.3)
            return log_access(t, rt, ip, ua, method, path, 302, REDIRECT_BODY + 2 * len("/login?next=%2Farchive%2Fexport"), referer), 302
        q = urllib.parse.parse_qs(path.split("?", 1)[1])
        item, fmt = q["item"][0], q["format"][0]
        if rng.random() < EXPORT_FAILURE_RATE:
            rt = 30.0 + rng.uniform(0.004, 0.09)
            end = log_access(t, rt, ip, ua, method, path, 500, INTERNAL_ERROR_BODY, referer)
            app(end - 0.003, "ERROR", "archive.portal.views", "Exception on /archive/export [GET]", EXPORT_TRACEBACK)
            return end, 500
        rt = lognorm(4.0, 0.6)
        size = int(lognorm(900000 if fmt == "pdf" else 2600000 if fmt == "tiff" else 60000, 0.5))
        end = log_access(t, rt, ip, ua, method, path, 200, size, referer)
        app(end - 0.004, "INFO", "archive.export",
            "item=%s format=%s bytes=%d took=%.1fs" % (item, fmt, size, rt))
        return end, 200

    if base == "/login" and method == "GET":
        rt = lognorm(0.011, 0.3)
        return log_access(t, rt, ip, ua, method, path, 200, rng.randint(3298, 3322), referer), 200

    if base == "/login" and method == "POST":
        if login_broken(t):
            if rng.random() < 0.03:
                # Empty password: the form validator answers before authenticate().
                rt = lognorm(0.010, 0.3)
                return log_access(t, rt, ip, ua, method, path, 200, rng.randint(3390, 3420), referer), 200
            rt = lognorm(0.032, 0.3)
            end = log_access(t, rt, ip, ua, method, path, 500, INTERNAL_ERROR_BODY, referer)
            app(end - 0.002, "ERROR", "archive.portal.views", "Exception on /login [POST]", LOGIN_TRACEBACK)
            return end, 500
        rt = lognorm(0.21, 0.25)  # password hashing
        if rng.random() < 0.09:
            end = log_access(t, rt, ip, ua, method, path, 200, rng.randint(3390, 3420), referer)
            app(end - 0.002, "INFO", "archive.auth", "login rejected for %r from %s: bad password" % (v.username, ip))
            return end, 200
        end = log_access(t, rt, ip, ua, method, path, 302, REDIRECT_BODY + 2 * len("/account"), referer)
        app(end - 0.002, "INFO", "archive.auth", "login ok user_id=%d from %s" % (v.user_id, ip))
        return end, 302

    if base == "/account":
        if v.logged_in:
            rt = lognorm(0.045, 0.35)
            return log_access(t, rt, ip, ua, method, path, 200, rng.randint(6100, 7400), referer), 200
        rt = lognorm(0.006, 0.3)
        return log_access(t, rt, ip, ua, method, path, 302, REDIRECT_BODY + 2 * len("/login?next=%2Faccount"), referer), 302

    if base == "/logout":
        rt = lognorm(0.009, 0.3)
        return log_access(t, rt, ip, ua, method, path, 302, REDIRECT_BODY + 2, referer), 302

    if base == "/favicon.ico":
        rt = rng.uniform(0.0, 0.002)
        return log_access(t, rt, ip, ua, method, path, 200, 4286, referer), 200

    if base == "/robots.txt":
        rt = rng.uniform(0.0, 0.002)
        return log_access(t, rt, ip, ua, method, path, 200, 141, referer), 200

    if base == "/healthz":
        rt = rng.uniform(0.001, 0.004)
        return log_access(t, rt, ip, ua, method, path, 200, 2, referer), 200

    # Anything else: an old or mistyped link.
    rt = lognorm(0.010, 0.3)
    return log_access(t, rt, ip, ua, method, path, 404, 3124, referer), 404


EXPORT_FAILURE_RATE = 0.12


# --- Sessions ---------------------------------------------------------------------------
def think():
    return min(240.0, lognorm(14.0, 0.9))


def item_id():
    return str(rng.choice([rng.randint(100000, 189999), rng.randint(100000, 120000)]))


def search_path():
    q = rng.choice(SEARCH_TERMS)
    p = "/archive/search?q=" + urllib.parse.quote_plus(q)
    if rng.random() < 0.2:
        p += "&page=%d" % rng.randint(2, 6)
    return p


def page_load(t, v, path, referer):
    """A page and, for a visitor without a warm cache, its assets."""
    end, status = serve(t, v, "GET", path, referer)
    if status == 200 and not v.assets_cached:
        page = HOST + path
        s = end + rng.uniform(0.03, 0.12)
        for asset, _ in STATIC_ASSETS:
            s = serve(s, v, "GET", asset, page)[0] + rng.uniform(0.0, 0.02)
        serve(s + rng.uniform(0.1, 0.5), v, "GET", "/favicon.ico", page)
        v.assets_cached = True
    if status == 200 and path.startswith("/archive/item/") and rng.random() < 0.7:
        serve(end + rng.uniform(0.05, 0.2), None, "GET",
              "/static/thumbs/%s.jpg" % path.rsplit("/", 1)[1], HOST + path, ua=v.ua, ip=v.ip)
    return end, status


def entry_referer():
    r = rng.random()
    if r < 0.4:
        return "-"
    if r < 0.75:
        return "https://www.google.com/"
    if r < 0.82:
        return "https://duckduckgo.com/"
    if r < 0.88:
        return "https://www.bing.com/"
    if r < 0.94:
        return "https://t.co/"
    return "https://www.facebook.com/"


def browse(t, v, referer, pages):
    """Searches and item views; members sometimes export or open their account."""
    for _ in range(pages):
        if t > TRAFFIC_END:
            return t
        r = rng.random()
        if r < 0.40:
            path = search_path()
        elif r < 0.82:
            path = "/archive/item/" + item_id()
        elif r < 0.93 and v.logged_in:
            path = "/archive/export?item=%s&format=%s" % (item_id(), rng.choice(["pdf", "pdf", "pdf", "tiff", "txt"]))
        elif r < 0.97:
            path = "/account"
        else:
            path = "/archive/collections/%s" % rng.choice(["maps", "photographs", "newspapers"])
        if path.startswith("/archive/export"):
            end, _ = serve(t, v, "GET", path, referer)
        else:
            end, _ = page_load(t, v, path, referer)
        if not path.startswith("/archive/export"):
            referer = HOST + path  # a download does not leave the page
        t = end + think()
    return t


# Login POSTs are kept out of these windows so that the scripted first and last
# failures (and the first success after the restart) are the true extremes.
LOGIN_BLACKOUTS = [
    (INCIDENT_START - 2.0, FIRST_500 + 0.5),
    (LAST_500 - 1.0, FIRST_OK_LOGIN + 0.5),
]


def login_time(t):
    for lo, hi in LOGIN_BLACKOUTS:
        if lo <= t < hi:
            return hi + rng.uniform(0.5, 6.0)
    return t


def login_flow(t, v, referer, attempts_if_broken):
    """GET /login, then POST until it works or the visitor gives up."""
    end, _ = page_load(t, v, "/login", referer)
    t = login_time(end + lognorm(9.0, 0.4))
    tries = 0
    while t < TRAFFIC_END:
        end, status = serve(t, v, "POST", "/login", HOST + "/login")
        tries += 1
        if status == 302:
            v.logged_in = True
            v.failed_login = False
            end, _ = page_load(end + 0.05, v, "/account", HOST + "/login")
            return end + think(), True
        if status == 500:
            v.failed_login = True
            if tries >= attempts_if_broken:
                return end + think(), False
            t = login_time(end + lognorm(12.0, 0.6))
        else:  # wrong or empty password: type it again
            t = login_time(end + lognorm(8.0, 0.4))
            if tries >= 4:
                return end + think(), False
    return t, False


def session(t, v):
    kind = rng.random()
    referer = entry_referer()
    if v.logged_in and rng.random() < 0.04:
        v.logged_in = False  # the session cookie expired
    if v.logged_in:
        start = "/" if rng.random() < 0.5 else search_path()
        end, _ = page_load(t, v, start, referer)
        t = browse(end + think(), v, HOST + start, rng.randint(1, 7))
        if rng.random() < 0.03:
            serve(t, v, "GET", "/logout", HOST + "/account")
            v.logged_in = False
        return
    if kind < 0.30:
        # Wants their account: straight to the login form.
        end, _ = page_load(t, v, "/", referer)
        t, ok = login_flow(end + think(), v, HOST + "/", rng.choice([1, 1, 2, 2, 3]))
        if ok:
            browse(t, v, HOST + "/account", rng.randint(1, 6))
        elif rng.random() < 0.35:
            browse(t, v, HOST + "/login", rng.randint(1, 3))
        return
    if kind < 0.40:
        # Tries /account first and is sent to the login form.
        serve(t, v, "GET", "/account", referer)
        t, ok = login_flow(t + rng.uniform(0.05, 0.3), v, HOST + "/account", rng.choice([1, 1, 2]))
        if ok:
            browse(t, v, HOST + "/account", rng.randint(1, 5))
        return
    # Anonymous reading, often straight to an item from a search engine.
    start = "/archive/item/" + item_id() if rng.random() < 0.45 else "/"
    end, _ = page_load(t, v, start, referer)
    browse(end + think(), v, HOST + start, rng.randint(0, 5))


def traffic_shape(t):
    """Relative load through the day (a library's morning, lunch dip, afternoon)."""
    h = (t - DAY.timestamp()) / 3600.0
    points = [(9.0, 0.55), (10.0, 0.95), (11.0, 1.15), (12.0, 1.2), (12.75, 1.0),
              (13.25, 0.8), (14.0, 1.0), (14.75, 1.1), (15.5, 0.9)]
    for (h0, v0), (h1, v1) in zip(points, points[1:]):
        if h0 <= h <= h1:
            return v0 + (v1 - v0) * (h - h0) / (h1 - h0)
    return 0.6


SESSIONS_PER_MIN = 8.3


def generate_sessions():
    t = TRAFFIC_START
    peak = SESSIONS_PER_MIN * 1.2 / 60.0
    while True:
        t += rng.expovariate(peak)
        if t >= TRAFFIC_END - 60:
            break
        if rng.random() > traffic_shape(t) / 1.2:
            continue
        v = rng.choices(VISITORS, VISITOR_WEIGHTS)[0]
        session(t, v)


def scripted_sessions():
    """The visitors whose requests are the incident's milestones in the access log."""
    first = Visitor(900)
    first.ip, first.username, first.logged_in, first.assets_cached = "85.105.37.212", "leyla.kaya", False, False
    first.ua = USER_AGENTS[10]
    end, _ = page_load(at(11, 26, 31, 400), first, "/", "-")
    page_load(at(11, 26, 49, 100), first, "/login", HOST + "/")
    for t in (FIRST_500, at(11, 27, 19, 530), at(11, 27, 33, 870)):
        serve(t, first, "POST", "/login", HOST + "/login")
    # Back after the announcement; this time it works.
    page_load(at(14, 1, 12, 600), first, "/login", "https://t.co/")
    serve(at(14, 1, 24, 900), first, "POST", "/login", HOST + "/login")
    first.logged_in = True
    page_load(at(14, 1, 25, 200), first, "/account", HOST + "/login")

    last = Visitor(901)
    last.ip, last.username, last.logged_in = "176.88.142.9", "omar.nasser", False
    last.ua = USER_AGENTS[0]
    page_load(at(13, 52, 33, 50), last, "/login", HOST + "/account")
    serve(at(13, 52, 45, 600), last, "POST", "/login", HOST + "/login")
    serve(LAST_500, last, "POST", "/login", HOST + "/login")
    page_load(at(13, 53, 3, 900), last, "/login", HOST + "/login")  # refresh hits the restart: 502
    page_load(at(13, 53, 18, 200), last, "/login", HOST + "/login")
    serve(FIRST_OK_LOGIN, last, "POST", "/login", HOST + "/login")
    last.logged_in = True
    page_load(at(13, 53, 26, 800), last, "/account", HOST + "/login")


def returning_after_fix():
    """Users who gave up during the outage come back once told to retry at 14:00."""
    waiting = [v for v in VISITORS if v.failed_login and not v.logged_in]
    for v in waiting:
        if rng.random() < 0.55:
            t = OUTBOUND_FIX + 20 + min(3600.0, rng.expovariate(1 / 600.0))
            t, ok = login_flow(t, v, "https://t.co/" if rng.random() < 0.6 else "-", 2)
            if ok:
                browse(t, v, HOST + "/account", rng.randint(1, 4))


def robots():
    googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    bingbot = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
    crawler = Visitor(950)
    crawler.logged_in, crawler.assets_cached = False, True
    for ua, ips, mean in ((googlebot, ["66.249.66.%d" % n for n in (1, 3, 12, 37, 71)], 34.0),
                          (bingbot, ["40.77.167.%d" % n for n in (8, 54, 129)], 95.0)):
        t = TRAFFIC_START + rng.uniform(0, 30)
        serve(t, crawler, "GET", "/robots.txt", "-", ua=ua, ip=ips[0])
        while t < TRAFFIC_END:
            t += rng.expovariate(1 / mean)
            serve(t, crawler, "GET", "/archive/item/" + item_id(), "-", ua=ua, ip=rng.choice(ips))

    # Vulnerability scanners: bursts of 404s.
    probes = ["/wp-login.php", "/.env", "/.git/config", "/wp-admin/setup-config.php", "/phpmyadmin/",
              "/admin/.env", "/xmlrpc.php", "/server-status", "/config.json", "/actuator/env",
              "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/backup.zip", "/.aws/credentials"]
    for start, ip in ((at(9, 48, 12), "45.148.10.82"), (at(12, 51, 40), "193.41.206.17"),
                      (at(15, 4, 3), "87.236.176.140")):
        t = start
        for p in rng.sample(probes, 11):
            t += rng.uniform(0.2, 2.5)
            serve(t, crawler, "GET", p, "-", ua="Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0", ip=ip)

    # Health checks: the internal prober and an external uptime service.
    for ip, ua, every in (("10.20.0.5", "Blackbox Exporter/0.25.0", 10.0),
                          ("69.162.124.231", "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", 60.0)):
        t = TRAFFIC_START + rng.uniform(0, every)
        while t < TRAFFIC_END:
            serve(t, crawler, "GET", "/healthz", "-", ua=ua, ip=ip)
            t += every + rng.uniform(-0.05, 0.05)


# --- The config repository ------------------------------------------------------
def fake_hash(*parts):
    return hashlib.sha1(("%d|" % SEED + "|".join(parts)).encode()).hexdigest()


COMMITS = [
    dict(t=at_day(13, 17, 22, 40), author="Priya Raman <priya.raman@archive.example.org>",
         subject="robots: disallow /archive/export for crawlers",
         body=["Exports are expensive and crawlers were triggering them via item pages."],
         files=[("nginx/robots.txt", 3, 0)]),
    dict(t=at_day(16, 11, 4, 52), author="Daniel Okafor <daniel.okafor@archive.example.org>",
         subject="logging: lower archive.search to INFO",
         body=["DEBUG query plans filled the disk on portal-1 over the weekend."],
         files=[("config/logging.yaml", 2, 2)]),
    dict(t=at_day(16, 16, 31, 9), author="Marta Kowalczyk <marta.kowalczyk@archive.example.org>",
         subject="cron: run session_cleanup at 03:15 instead of 03:00",
         body=["Avoid overlapping with the nightly database backup."],
         files=[("cron/archive-portal.cron", 1, 1)]),
    dict(t=at(9, 42, 27), author="Marta Kowalczyk <marta.kowalczyk@archive.example.org>",
         subject="nginx: raise client_max_body_size for uploads",
         body=["Digitisation team uploads TIFF scans of up to 80 MB."],
         files=[("nginx/archive.conf", 1, 1)]),
    dict(t=at(10, 58, 3), author="Tomas Ferreira <tomas.ferreira@archive.example.org>",
         subject="docs: fix typo in deploy runbook",
         body=[],
         files=[("docs/deploy.md", 1, 1)]),
    dict(t=CONFIG_PUSH, author="Priya Raman <priya.raman@archive.example.org>",
         subject="Upgrade archive_auth to 2.0 in auth settings",
         body=["archive_auth 2.0 replaces LegacySessionStore with SessionStore and",
               "signs session cookies by default. Bump the pin and switch the",
               "default session store over to the new class."],
         files=[("config/auth_settings.py", 8, 6), ("requirements/config.txt", 1, 1)]),
    dict(t=FIX_PUSH, author="Daniel Okafor <daniel.okafor@archive.example.org>",
         subject="Update portal_login and dependent scripts for archive_auth 2.0",
         body=["portal_login and session_cleanup still asked auth_settings for the",
               "legacy session store, which archive_auth 2.0 no longer ships: every",
               "login failed with ImportError since the 11:20 push.",
               "",
               "Use SessionStore everywhere and drop the legacy branch from",
               "auth_settings. Needs a portal restart: scripts/ is not hot-reloaded.",
               "",
               "Refs: PagerDuty Q3MX7R2KD9VB0A"],
         files=[("scripts/portal_login.py", 10, 8), ("scripts/session_cleanup.py", 3, 3),
                ("config/auth_settings.py", 2, 9)]),
]
for c in COMMITS:
    c["hash"] = fake_hash(c["subject"], str(int(c["t"])))
CULPRIT = COMMITS[5]
FIX = COMMITS[6]
YESTERDAY_HEAD = COMMITS[2]


def plural(n, one, many):
    return "%d %s" % (n, one if n == 1 else many)


def git_log():
    out = []
    for c in sorted(COMMITS, key=lambda c: -c["t"]):
        out.append("commit " + c["hash"])
        out.append("Author: " + c["author"])
        out.append("Date:   " + local_offset(c["t"]))
        out.append("")
        out.append("    " + c["subject"])
        if c["body"]:
            out.append("")
            out.extend(("    " + b) if b else "" for b in c["body"])
        out.append("")
        width = max(len(f) for f, _, _ in c["files"])
        cw = max(len(str(a + d)) for _, a, d in c["files"])
        for f, a, d in sorted(c["files"]):  # git lists paths in byte order
            out.append(" %s | %s %s" % (f.ljust(width), str(a + d).rjust(cw), "+" * a + "-" * d))
        ins = sum(a for _, a, _ in c["files"])
        dels = sum(d for _, _, d in c["files"])
        summary = " " + plural(len(c["files"]), "file changed", "files changed")
        if ins:
            summary += ", " + plural(ins, "insertion(+)", "insertions(+)")
        if dels:
            summary += ", " + plural(dels, "deletion(-)", "deletions(-)")
        out.append(summary)
        out.append("")
    return "\n".join(out[:-1]) + "\n"


# --- Process lifecycle: gunicorn and the app's own lines ---------------------------------
def lifecycle():
    master, workers = 811, [815, 816, 817, 818]
    t = GUNICORN_START
    guni(t, master, "INFO", "Starting gunicorn 21.2.0")
    guni(t + 0.004, master, "INFO", "Listening at: http://127.0.0.1:8000 (%d)" % master)
    guni(t + 0.005, master, "INFO", "Using worker: gthread")
    for i, w in enumerate(workers):
        guni(t + 0.01 + i * 0.004, master, "INFO", "Booting worker with pid: %d" % w)
        app(t + 1.2 + i * 0.05, "INFO", "archive.portal",
            "worker %d ready: archive-portal 3.8.2, archive_auth 1.4.3, config rev %s"
            % (w, YESTERDAY_HEAD["hash"][:7]))

    # max_requests recycling during the day.
    next_pid = 1034
    pre_restart = None
    for when, idx in ((at(10, 41, 17, 220), 1), (at(12, 19, 52, 610), 3), (at(15, 11, 8, 45), 0)):
        if when >= RESTART_TERM and pre_restart is None:
            pre_restart = list(workers)
            master, workers = 1201, [1205, 1206, 1207, 1208]
            next_pid = max(next_pid, 1263)
        old = workers[idx]
        guni(when, old, "INFO", "Autorestarting worker after current request.")
        guni(when + 0.31, old, "INFO", "Worker exiting (pid: %d)" % old)
        guni(when + 0.36, master, "INFO", "Booting worker with pid: %d" % next_pid)
        app(when + 1.4, "INFO", "archive.portal",
            "worker %d ready: archive-portal 3.8.2, archive_auth %s, config rev %s"
            % (next_pid, "2.0.0" if when > INCIDENT_START else "1.4.3",
               (FIX if when > RESTART_TERM else CULPRIT if when > INCIDENT_START else YESTERDAY_HEAD)["hash"][:7]))
        workers[idx] = next_pid
        next_pid += rng.randint(60, 90)
    master = 811

    # The config agent runs every five minutes and only logs when there is news.
    nginx_commit, docs_commit = COMMITS[3], COMMITS[4]
    app(at(9, 45, 2, 480), "INFO", "archive.config",
        "config rev %s: nginx/archive.conf changed, nothing to reload for the portal" % nginx_commit["hash"][:7])
    app(at(11, 0, 1, 905), "INFO", "archive.config",
        "config rev %s: docs/deploy.md changed, nothing to reload for the portal" % docs_commit["hash"][:7])
    app(SYNC_DETECT, "INFO", "archive.config",
        "config rev %s: config/auth_settings.py, requirements/config.txt changed; installing requirements/config.txt"
        % CULPRIT["hash"][:7])
    app(AUTH_INSTALLED, "INFO", "archive.config", "installed archive_auth 2.0.0 (was 1.4.3)")
    app(INCIDENT_START + 0.214, "INFO", "archive.config",
        "reloaded auth settings from /srv/archive/config/auth_settings.py (config rev %s)" % CULPRIT["hash"][:7])
    app(FIX_SYNC, "INFO", "archive.config",
        "config rev %s: scripts/portal_login.py, scripts/session_cleanup.py, config/auth_settings.py changed"
        % FIX["hash"][:7])
    app(FIX_SYNC + 0.011, "WARNING", "archive.config",
        "config rev %s changes scripts/, which is not hot-reloaded: deferring until the portal restarts"
        % FIX["hash"][:7])

    # The restart at 13:53 (systemctl restart archive-portal).
    t = RESTART_TERM
    guni(t, master, "INFO", "Handling signal: term")
    for i, w in enumerate(pre_restart):
        guni(t + 0.12 + i * 0.03, w, "INFO", "Worker exiting (pid: %d)" % w)
    guni(t + 1.41, master, "INFO", "Shutting down: Master")
    new_master, new_workers = 1201, [1205, 1206, 1207, 1208]
    t = RESTART_TERM + 2.2
    guni(t, new_master, "INFO", "Starting gunicorn 21.2.0")
    guni(t + 0.004, new_master, "INFO", "Listening at: http://127.0.0.1:8000 (%d)" % new_master)
    guni(t + 0.005, new_master, "INFO", "Using worker: gthread")
    for i, w in enumerate(new_workers):
        guni(t + 0.01 + i * 0.004, new_master, "INFO", "Booting worker with pid: %d" % w)
        app(RESTART_UP - 0.05 + i * 0.012, "INFO", "archive.portal",
            "worker %d ready: archive-portal 3.8.2, archive_auth 2.0.0, config rev %s" % (w, FIX["hash"][:7]))
    app(RESTART_UP + 0.3, "INFO", "archive.config",
        "config rev %s applied at startup" % FIX["hash"][:7])


def background_warnings():
    """A few warnings an hour that have nothing to do with the incident."""
    t = TRAFFIC_START
    while True:
        t += rng.expovariate(1 / 900.0)
        if t >= TRAFFIC_END:
            break
        r = rng.random()
        if r < 0.4:
            app(t, "WARNING", "archive.cache", "redis GET took %dms (threshold 250ms)" % rng.randint(260, 540))
        elif r < 0.7:
            app(t, "WARNING", "archive.export", "export queue depth %d (max 8)" % rng.randint(6, 8))
        else:
            app(t, "WARNING", "archive.thumbs",
                "thumbnail missing for item %s, serving placeholder" % item_id())


# --- Support tickets and pages --------------------------------------------------------
REPORTS = [
    (FIRST_REPORT, "@leylakaya_", "Twitter", "500 error when logging in",
     "Getting a 500 error when I try to log in to the archive. Tried three times."),
    (at(11, 29, 10), "@histnerd_mk", "Twitter", "Can't log in",
     "@ArchiveSupport login page just says Internal Server Error"),
    (at(11, 31, 55), "Olga Ivanova", "Facebook", "Login broken?",
     "Hello, I cannot sign in to my archive account, I get \"500 Internal Server Error\". Searching works."),
    (at(11, 36, 2), "@genealogy_sam", "Twitter", "Internal Server Error on login",
     "is the archive down? can't log in, keep getting error 500"),
    (at(11, 41, 37), "@p_georgiou", "Twitter", "login 500",
     "Login fails with a server error since about 11:30. Anyone else?"),
    (at(11, 48, 20), "mehmet.aydin.research", "Instagram DM", "Cannot access my account",
     "I need my saved searches for a deadline today but the login gives an error 500."),
    (at(11, 55, 3), "@ruthmorris", "Twitter", "Login not working",
     "Getting a 500 error when I try to log in to the archive"),
    (at(12, 2, 44), "Kemal Dogan", "Facebook", "Error when signing in",
     "Every time I press Log in I get a white page with Internal Server Error.\nBrowser: Firefox, also tried my phone."),
    (at(12, 6, 30), "@tramhistory", "Twitter", "500 on login",
     "@ArchiveSupport logging in gives 500, already logged-in tab on my other laptop still works fine"),
    (at(12, 18, 12), "@annasmith_lib", "Twitter", "still 500",
     "still getting 500 when logging in, any ETA?"),
    (at(12, 25, 40), "Zeynep Celik", "Facebook", "Login error",
     "Hi, the site says 500 when I try to log in. Is there maintenance?"),
    (at(12, 41, 5), "@ivan_petrov_", "Twitter", "Can't sign in to archive",
     "Can't sign in, error 500. Cleared cookies, no change."),
    (at(12, 52, 19), "@fatmadm", "Twitter", "Login down",
     "Login has been broken for over an hour now"),
    (at(13, 7, 33), "grace.hughes.genealogy", "Instagram DM", "Account access",
     "I can't get into my account, it says internal server error"),
    (at(13, 18, 46), "@nikos_g", "Twitter", "500 error",
     "500 error on the archive login page, tried Chrome and Safari"),
    (at(13, 29, 2), "Elena Popescu", "Facebook", "Login still failing",
     "Still can't log in after two hours, please help, I have a reading room booking at 3pm"),
    (at(13, 38, 57), "@layla_khalil", "Twitter", "login error",
     "archive login = 500 error. is this known?"),
    (at(13, 47, 21), "@dilara_arslan", "Twitter", "Cannot log in",
     "Getting a 500 error when I try to log in to the archive, is it down for everyone?"),
]
UNRELATED = [
    (at(9, 14, 22), "@emre_polat", "Twitter", "Scan request",
     "How do I request a high-resolution scan of a 1923 newspaper page?", "Solved"),
    (at(10, 3, 51), "Marta Novak", "Facebook", "Reading room hours",
     "Are you open on Saturday mornings in December?", "Solved"),
    (at(10, 47, 9), "@tom_weber", "Twitter", "Search question",
     "Searching for \"harbour\" and \"harbor\" gives different results, is that expected?", "Solved"),
    (at(15, 2, 48), "@hana_bauer", "Twitter", "Broken image",
     "The thumbnail for item 114502 is a grey placeholder", "Open"),
]
OUTBOUND = [
    (OUTBOUND_1, "Login errors on the archive portal",
     "We're aware that some of you see a 500 error when logging in to the archive. We're looking into login errors and will update here."),
    (OUTBOUND_TRACED, "Update: login errors",
     "Update: we've found the cause of the login errors (a configuration change) and are working on a fix. Browsing and search are not affected."),
    (OUTBOUND_FIX, "Login errors fixed",
     "The fix has been deployed, please retry logging in. Sorry for the trouble, and thank you for your patience!"),
]
CONFIRMATIONS = [
    (CONFIRM, "@ruthmorris", "Twitter", "Re: Login not working", "login works again, thanks!"),
    (at(14, 7, 12), "Olga Ivanova", "Facebook", "Re: Login broken?", "Yes it works now, thank you."),
    (at(14, 11, 48), "@histnerd_mk", "Twitter", "Re: Can't log in", "confirmed, I'm back in. thanks team"),
    (at(14, 19, 3), "Elena Popescu", "Facebook", "Re: Login still failing",
     "Logged in and all my saved items are there, thank you!"),
    (at(14, 33, 27), "@leylakaya_", "Twitter", "Re: 500 error when logging in", "Works now 👍"),
]


def tickets():
    rows = []
    for t, who, ch, subj, desc, status in UNRELATED:
        rows.append((t, who, ch, subj, desc, status))
    for t, who, ch, subj, desc in REPORTS:
        rows.append((t, who, ch, subj, desc, "Solved"))
    for t, subj, desc in OUTBOUND:
        rows.append((t, "ArchiveSupport", "Twitter", subj, desc, "Closed"))
    for t, who, ch, subj, desc in CONFIRMATIONS:
        rows.append((t, who, ch, subj, desc, "Solved"))
    rows.sort(key=lambda r: r[0])
    out, ticket = [], 58231
    for t, who, ch, subj, desc, status in rows:
        ticket += rng.randint(1, 5)
        out.append([str(ticket), local_offset(t), who, ch, subj, desc, status])
    return out


def pages():
    return [
        ["Q0WJ4PN8T1ZC5E", iso_z(at_day(16, 22, 41, 7)), iso_z(at_day(16, 22, 52, 30)),
         iso_z(at_day(16, 23, 37, 14)), "Disk usage above 85% on archive-db-2 /var/lib/postgresql",
         "archive-db", "low", "resolved", "Marta Kowalczyk"],
        ["Q3MX7R2KD9VB0A", iso_z(PAGE), iso_z(ACK), iso_z(RESOLVED),
         "High 5xx rate on archive-portal /login", "archive-portal", "high", "resolved", "Daniel Okafor"],
    ]


# --- Checks and output ----------------------------------------------------------------
def check(cond, what):
    if not cond:
        raise SystemExit("generate.py: ground truth violated: " + what)


def write(rel, text):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_csv(rel, header, rows):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main():
    lifecycle()
    scripted_sessions()
    generate_sessions()
    returning_after_fix()
    robots()
    background_warnings()

    access.sort()
    applog.sort()
    gunicorn.sort()
    lines = [(t, l) for t, _, l in access if TRAFFIC_START <= t < TRAFFIC_END]

    login_500 = [t for t, l in lines if '"POST /login HTTP/1.1" 500' in l]
    login_302_after = [t for t, l in lines if '"POST /login HTTP/1.1" 302' in l and t > RESTART_TERM]
    login_302_during = [t for t, l in lines if '"POST /login HTTP/1.1" 302' in l and INCIDENT_START <= t < RESTART_TERM]
    check(login_500 and int(login_500[0]) == int(FIRST_500), "first /login 500 is the scripted one")
    check(int(login_500[-1]) == int(LAST_500), "last /login 500 is the scripted one")
    check(login_302_after and int(login_302_after[0]) == int(FIRST_OK_LOGIN), "first login after restart")
    check(not login_302_during, "no successful login during the outage")

    old = [l for t, l in lines if t < ROTATE_AT]
    new = [l for t, l in lines if t >= ROTATE_AT]
    write("nginx/access.log.1", "\n".join(old) + "\n")
    write("nginx/access.log", "\n".join(new) + "\n")
    write("app/archive-portal.log", "\n".join(l for _, _, block in applog for l in block) + "\n")
    write("app/gunicorn.log", "\n".join(l for _, _, l in gunicorn) + "\n")
    write("deploys/config-history.log", git_log())
    write_csv("support/social-tickets.csv",
              ["Ticket ID", "Created at", "Requester", "Channel", "Subject", "Description", "Status"], tickets())
    write_csv("alerts/pagerduty-incidents.csv",
              ["id", "created_at", "acknowledged_at", "resolved_at", "title", "service", "urgency", "status",
               "assigned_to"], pages())
    write("README.md", readme(lines, login_500, login_302_after))


def readme(lines, login_500, login_302_after):
    export_500 = sum(1 for _, l in lines if '"GET /archive/export' in l and '" 500 ' in l)
    n502 = sum(1 for _, l in lines if '" 502 ' in l)
    milestones = [
        ("Config push (culprit commit `%s`)" % CULPRIT["hash"][:7], CONFIG_PUSH, "`deploys/config-history.log`"),
        ("Config agent applies it; auth settings reloaded", INCIDENT_START, "`app/archive-portal.log`"),
        ("First `POST /login` 500 (and first ImportError traceback)", login_500[0], "`nginx/access.log.1`, `app/archive-portal.log`"),
        ("First user report", FIRST_REPORT, "`support/social-tickets.csv`"),
        ("Outbound: \"we're looking into login errors\"", OUTBOUND_1, "`support/social-tickets.csv`"),
        ("Page created", PAGE, "`alerts/pagerduty-incidents.csv`"),
        ("Page acknowledged", ACK, "`alerts/pagerduty-incidents.csv`"),
        ("Outbound: cause found (traced at ~13:05 per the report)", OUTBOUND_TRACED, "`support/social-tickets.csv`"),
        ("Fix pushed (commit `%s`)" % FIX["hash"][:7], FIX_PUSH, "`deploys/config-history.log`"),
        ("Config agent defers the fix until restart", FIX_SYNC, "`app/archive-portal.log`"),
        ("Last `POST /login` 500", login_500[-1], "`nginx/access.log`, `app/archive-portal.log`"),
        ("Restart: `Handling signal: term`", RESTART_TERM, "`app/gunicorn.log`"),
        ("Restart: `Starting gunicorn 21.2.0` (master 1201)", RESTART_TERM + 2.2, "`app/gunicorn.log`"),
        ("First successful login (302) after the restart", login_302_after[0], "`nginx/access.log`"),
        ("Outbound: \"fix deployed, please retry logging in\"", OUTBOUND_FIX, "`support/social-tickets.csv`"),
        ("First user confirmation", CONFIRM, "`support/social-tickets.csv`"),
        ("Page resolved", RESOLVED, "`alerts/pagerduty-incidents.csv`"),
    ]
    rows = "\n".join("| %s | %s | %s | %s |" % (name, hms_local(t), hms_utc(t), where)
                     for name, t, where in milestones)
    return README_TEMPLATE.format(
        rows=rows, n_login_500=len(login_500), n_export_500=export_500, n502=n502,
        n_lines=len(lines), culprit=CULPRIT["hash"][:7], fix=FIX["hash"][:7],
        first_ok=hms_local(login_302_after[0]))


README_TEMPLATE = """\
# Sample incident: the archive crash

A built-in, synthetic incident for trying Faultline and for its end-to-end
tests. It recreates the Archive incident report (`archive-incident-report.md`):
on Tuesday 2026-11-17 a configuration push upgraded the `archive_auth` module
from 1.4 to 2.0; the login script still asked for the removed
`LegacySessionStore`, so every login of a logged-out user failed with HTTP 500
until the dependent scripts were fixed and the servers restarted.

All files are generated by `generate.py` (Python 3 standard library, fixed
seed, byte-identical on every run). Regenerate from the repository root with:

    python3 samples/archive-crash/generate.py

## Files

| File | Format | Clock |
|---|---|---|
| `nginx/access.log.1` | nginx combined + trailing `$request_time`, 09:00-12:00 (rotated) | `+0300` in each line |
| `nginx/access.log` | same, 12:00-15:30 | `+0300` in each line |
| `app/archive-portal.log` | Python logging `YYYY-MM-DD HH:MM:SS,mmm LEVEL [logger] message`, multi-line tracebacks | **local time, no zone: read with `--tz +03:00`** |
| `app/gunicorn.log` | gunicorn error log `[YYYY-MM-DD HH:MM:SS +0000] [pid] [LEVEL] message` | UTC (`+0000`) |
| `deploys/config-history.log` | `git log --stat --date=iso` of the config repository, newest first | `+0300` |
| `support/social-tickets.csv` | ticket export of the social-media support handle | `+0300` |
| `alerts/pagerduty-incidents.csv` | incident export | UTC (`Z`) |

Run it with `faultline analyze` and no inputs (the binary embeds this folder
and reads it as `case.json` says), or point at the files yourself:

    faultline analyze --tz +03:00 --logs samples/archive-crash/nginx \\
        --logs samples/archive-crash/app --deploys samples/archive-crash/deploys \\
        --support samples/archive-crash/support --alerts samples/archive-crash/alerts

`--tz +03:00` only matters for `app/archive-portal.log`; every other file
carries its own offset. `README.md`, `generate.py` and `case.json` are not
inputs.

## Ground truth

Local zone UTC+3. Times are those written in the files (nginx logs the second
a request completed).

| Milestone | UTC+3 | UTC | Where |
|---|---|---|---|
{rows}

The report's 13:05 "issue traced" has no line of its own in any file; the
13:12 outbound update is its trace.

## What else is in the data

- {n_lines} access-log lines from 620 regular visitors plus crawlers
  (Googlebot, bingbot), three vulnerability-scanner bursts (404s) and two
  health checkers (`/healthz` stays 200 all day: the outage never touched it).
- Background noise that is **not** the incident: {n_export_500} `GET /archive/export`
  500s spread over the whole day (request time ~30 s, `TimeoutError: export
  worker timed out after 30s` tracebacks in the app log, present long before
  11:20), background WARNINGs, 404s, and max-requests worker recycling in
  `gunicorn.log` (10:41, 12:19, 15:11 local).
- The incident: {n_login_500} `POST /login` 500s between the first and last
  milestone above, each with an `ERROR [archive.portal.views] Exception on
  /login [POST]` and an `ImportError: cannot import name 'LegacySessionStore'`
  traceback whose frames pass through `/srv/archive/scripts/portal_login.py`
  and `/srv/archive/config/auth_settings.py`. Logged-in traffic (search, items,
  `/account`, exports) keeps returning 200 throughout; a few logins during the
  outage return 200 (form validation) instead of 500. No login succeeds
  between 11:27:00 and the restart.
- {n502} requests arrive while gunicorn is down (13:53:02-13:53:05) and get
  nginx 502s (`/static/` is served by nginx itself and is unaffected).
- Users who gave up come back after the 14:00 announcement; the first
  successful login after the restart is at {first_ok}.
- The culprit commit `{culprit}` (11:20) is picked up by the 5-minute config
  agent at 11:25 and applied at 11:27:00; the fix `{fix}` (13:45) is seen at
  13:50 but only takes effect with the restart, because `scripts/` is not
  hot-reloaded.
"""


if __name__ == "__main__":
    main()
