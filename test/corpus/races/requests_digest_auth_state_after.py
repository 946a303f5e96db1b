# Source: psf/requests, issue #2334 "HTTPDigestAuth on session not thread-safe", fixed by PR #2523
#   (https://github.com/psf/requests/pull/2523) and the later move of all digest state to thread-local storage.
# Race: one auth object is attached to a session used by many threads, and each request keeps its
#   challenge, body position, nonce counter and 401 counter on that shared object.
# threads: the session (and its auth handler) is shared by worker threads issuing requests.
# After: every piece of per-request state lives in a threading.local created in __init__.
import hashlib
import threading


class DigestAuth:
    def __init__(self, username, password):
        self.username = username
        self.password = password
        self._thread_local = threading.local()  # fixed

    def init_per_thread_state(self):
        if not hasattr(self._thread_local, "init"):  # fixed
            self._thread_local.init = True  # fixed
            self._thread_local.last_nonce = ""  # fixed
            self._thread_local.nonce_count = 0  # fixed
            self._thread_local.chal = {}  # fixed
            self._thread_local.pos = None  # fixed
            self._thread_local.num_401_calls = None  # fixed

    def build_header(self, method, url):
        nonce = self._thread_local.chal["nonce"]
        if nonce == self._thread_local.last_nonce:
            self._thread_local.nonce_count += 1  # fixed
        else:
            self._thread_local.nonce_count = 1  # fixed
        self._thread_local.last_nonce = nonce  # fixed
        ncvalue = "%08x" % self._thread_local.nonce_count
        digest = hashlib.md5(f"{self.username}:{nonce}:{ncvalue}:{method}:{url}".encode()).hexdigest()
        return f'Digest username="{self.username}", nonce="{nonce}", nc={ncvalue}, response="{digest}"'

    def handle_401(self, response):
        if self._thread_local.pos is not None:
            response.request.body.seek(self._thread_local.pos)
        if "digest" in response.headers.get("www-authenticate", "").lower() and self._thread_local.num_401_calls < 2:
            self._thread_local.num_401_calls += 1  # fixed
            self._thread_local.chal = parse_challenge(response.headers["www-authenticate"])  # fixed
            return response.retry_with(self.build_header(response.request.method, response.request.url))
        self._thread_local.num_401_calls = 1  # fixed
        return response

    def __call__(self, request):
        self.init_per_thread_state()
        if self._thread_local.last_nonce:
            request.headers["Authorization"] = self.build_header(request.method, request.url)
        try:
            self._thread_local.pos = request.body.tell()  # fixed
        except AttributeError:
            self._thread_local.pos = None  # fixed
        self._thread_local.num_401_calls = 1  # fixed
        request.register_hook("response", self.handle_401)
        return request


def parse_challenge(header):
    return dict(part.strip().split("=", 1) for part in header[7:].split(","))
