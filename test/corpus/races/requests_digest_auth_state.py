# Source: psf/requests, issue #2334 "HTTPDigestAuth on session not thread-safe", fixed by PR #2523
#   (https://github.com/psf/requests/pull/2523) and the later move of all digest state to thread-local storage.
# Race: one auth object is attached to a session used by many threads, and each request keeps its
#   challenge, body position, nonce counter and 401 counter on that shared object.
# threads: the session (and its auth handler) is shared by worker threads issuing requests.
import hashlib


class DigestAuth:
    def __init__(self, username, password):
        self.username = username
        self.password = password
        self.last_nonce = ""
        self.nonce_count = 0
        self.chal = {}
        self.pos = None

    def build_header(self, method, url):
        nonce = self.chal["nonce"]
        if nonce == self.last_nonce:
            self.nonce_count += 1  # race
        else:
            self.nonce_count = 1  # race
        self.last_nonce = nonce  # race
        ncvalue = "%08x" % self.nonce_count
        digest = hashlib.md5(f"{self.username}:{nonce}:{ncvalue}:{method}:{url}".encode()).hexdigest()
        return f'Digest username="{self.username}", nonce="{nonce}", nc={ncvalue}, response="{digest}"'

    def handle_401(self, response):
        if self.pos is not None:
            response.request.body.seek(self.pos)
        num_401_calls = getattr(self, "num_401_calls", 1)
        if "digest" in response.headers.get("www-authenticate", "").lower() and num_401_calls < 2:
            setattr(self, "num_401_calls", num_401_calls + 1)  # race
            self.chal = parse_challenge(response.headers["www-authenticate"])  # race
            return response.retry_with(self.build_header(response.request.method, response.request.url))
        setattr(self, "num_401_calls", 1)  # race
        return response

    def __call__(self, request):
        if self.last_nonce:
            request.headers["Authorization"] = self.build_header(request.method, request.url)
        try:
            self.pos = request.body.tell()  # race
        except AttributeError:
            self.pos = None  # race
        request.register_hook("response", self.handle_401)
        return request


def parse_challenge(header):
    return dict(part.strip().split("=", 1) for part in header[7:].split(","))
