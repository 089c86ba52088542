#!/usr/bin/python3
"""A service behind tenantgate, written with no tenantgate code: the Python recipe of
docs/services.md. Python's standard library (http.server, urllib) and Debian's
python3-jwcrypto only.

Every request must carry the gateway's identity assertion: one compact JWS in
X-StellaOps-Identity, typ "identity+jwt", signed with a key from the gateway's published key
set, for this service (aud), from the gateway (iss), bound to this request's method (htm) and
target (htu: path and query as received), carrying one normalized tenant that the canonical
X-StellaOps-Tenant header repeats. Accepted: 200 with the identity as JSON. Refused: 401
problem+json with the same codes as @tenantgate/verify.

    identity_service.py --jwks URL --issuer URL --audience NAME [--port 0]
        [--legacy-alias X-Tenant-Id --gateway URL --report-client-id ID [--report-interval S]]

With --legacy-alias the service is one that still reads its tenant from that legacy header
(when present; it must equal the verified tenant): each such read is counted, and the counts
are reported to the gateway's POST /gateway/v1/legacy-use every --report-interval seconds,
authenticated with a client-credentials token of --report-client-id (secret in the
REPORT_CLIENT_SECRET environment variable), as docs/services.md describes.

Prints "listening PORT" once it accepts connections.
"""
import argparse
import base64
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from jwcrypto import jwk, jws

ALGORITHMS = ("EdDSA", "ES256")
ASSERTION_TYPE = "identity+jwt"
IDENTITY_HEADER = "X-StellaOps-Identity"
TENANT_HEADER = "X-StellaOps-Tenant"
TENANT_CLAIM = "stellaops:tenant"
# CONTRACT.md section 2: a normalized tenant id.
TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9._:-]{0,127}$")
# The signature segment may be empty so that alg "none" is refused by name.
COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
CLOCK_TOLERANCE = 5
# The gateway's assertions live at most 300 s (gateway.envelopeTtlSeconds).
MAX_LIFETIME = 300
KEYS_MAX_AGE = 600
REFETCH_COOLDOWN = 30


class Refused(Exception):
    def __init__(self, code, detail, status=401):
        super().__init__(detail)
        self.code = code
        self.status = status


class KeySet:
    """The gateway's keys, cached; an unknown kid refetches at most once per cooldown."""

    def __init__(self, url):
        self.url = url
        self.keys = {}
        self.fetched_at = None
        self.lock = threading.Lock()

    def _fetch(self):
        try:
            with urllib.request.urlopen(self.url, timeout=5) as response:
                document = json.load(response)
            keys = {}
            for entry in document.get("keys", []):
                if entry.get("use", "sig") == "sig" and entry.get("alg") in ALGORITHMS and isinstance(entry.get("kid"), str):
                    keys[entry["kid"]] = jwk.JWK(**entry)
        except Exception as err:  # network, HTTP status, JSON, key import
            raise Refused("key_set_unavailable", "the key set is unavailable: %s" % err, 503)
        self.keys = keys
        self.fetched_at = time.monotonic()

    def key(self, kid):
        with self.lock:
            now = time.monotonic()
            if self.fetched_at is None or now - self.fetched_at > KEYS_MAX_AGE:
                self._fetch()
            elif kid not in self.keys and now - self.fetched_at > REFETCH_COOLDOWN:
                self._fetch()
            found = self.keys.get(kid)
        if found is None:
            raise Refused("unknown_key", "kid %r is not in the gateway's key set" % kid)
        return found


def b64json(segment):
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def verify(headers, method, target, keys, issuer, audience):
    values = headers.get_all(IDENTITY_HEADER) or []
    if not values or all(not v.strip() for v in values):
        raise Refused("missing_assertion", "no %s header" % IDENTITY_HEADER)
    token = values[0].strip() if len(values) == 1 else ""
    if not COMPACT_JWS.match(token):
        raise Refused("malformed_assertion", "not one compact JWS")
    try:
        header = b64json(token.split(".")[0])
    except ValueError:
        raise Refused("malformed_assertion", "the protected header is not JSON")
    if not isinstance(header, dict) or header.get("typ") != ASSERTION_TYPE:
        raise Refused("wrong_type", "typ must be %s" % ASSERTION_TYPE)
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise Refused("algorithm_not_allowed", "alg %r is not allowed" % alg)
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise Refused("malformed_assertion", "no kid")

    key = keys.key(kid)
    if key.get("alg") != alg:
        raise Refused("algorithm_not_allowed", "the key is for %s, not %s" % (key.get("alg"), alg))
    signed = jws.JWS()
    signed.allowed_algs = [alg]
    try:
        signed.deserialize(token)
        signed.verify(key, alg=alg)
        claims = json.loads(signed.payload)
    except jws.InvalidJWSSignature:
        raise Refused("bad_signature", "the signature does not verify")
    except (jws.InvalidJWSObject, ValueError):
        raise Refused("malformed_assertion", "the assertion cannot be read")
    if not isinstance(claims, dict):
        raise Refused("malformed_assertion", "the payload is not a JSON object")

    if claims.get("iss") != issuer:
        raise Refused("wrong_issuer", "iss is not this gateway")
    # The gateway writes aud as one string: this service's name.
    if claims.get("aud") != audience:
        raise Refused("wrong_audience", "aud is not this service")
    now = time.time()
    exp, iat, nbf = claims.get("exp"), claims.get("iat"), claims.get("nbf")
    if not is_number(exp) or not is_number(iat) or not isinstance(claims.get("jti"), str):
        raise Refused("malformed_assertion", "exp, iat and jti are required")
    if now > exp + CLOCK_TOLERANCE:
        raise Refused("expired", "the assertion has expired")
    if iat > now + CLOCK_TOLERANCE or (isinstance(nbf, (int, float)) and nbf > now + CLOCK_TOLERANCE):
        raise Refused("not_yet_valid", "the assertion is not valid yet")
    if not isinstance(exp, int) or not isinstance(iat, int) or not 0 <= exp - iat <= MAX_LIFETIME:
        raise Refused("expired", "the assertion lifetime (exp - iat) is out of bounds")
    if claims.get("htm") != method:
        raise Refused("wrong_method", "the assertion is for another method")
    if claims.get("htu") != target:
        raise Refused("wrong_target", "the assertion is for another request target")
    tenant = claims.get(TENANT_CLAIM)
    if not isinstance(tenant, str) or not TENANT_ID.match(tenant):
        raise Refused("invalid_tenant", "%s is not one normalized tenant id" % TENANT_CLAIM)
    echoed = headers.get_all(TENANT_HEADER) or []
    if len(echoed) != 1 or echoed[0].strip() != tenant:
        raise Refused("tenant_mismatch", "%s does not equal the assertion's tenant" % TENANT_HEADER)
    if not all(isinstance(claims.get(name), str) for name in ("sub", "client_id", "scope")):
        raise Refused("malformed_assertion", "sub, client_id and scope must be strings")
    return {"tenant": tenant, "subject": claims["sub"], "clientId": claims["client_id"], "scopes": claims["scope"].split()}


class LegacyUseReporter:
    """Counts tenants read from a legacy alias; reports them to the gateway in batches.

    A batch keeps its id until the gateway accepted it, so a retried batch is applied once.
    Every flush reports today, with nothing counted too: a day without a report is "no data".
    """

    def __init__(self, gateway, service, client_id, client_secret):
        self.gateway = gateway.rstrip("/")
        self.service = service
        self.client_id = client_id
        self.client_secret = client_secret
        self.counts = {}
        self.pending = None
        self.lock = threading.Lock()

    def count(self, alias, tenant, client):
        with self.lock:
            key = (alias, tenant, client)
            self.counts[key] = self.counts.get(key, 0) + 1

    def _token(self):
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret, "scope": "legacy:report"}).encode()
        with urllib.request.urlopen(urllib.request.Request(self.gateway + "/connect/token", data=form), timeout=5) as response:
            return json.load(response)["access_token"]

    def flush(self):
        with self.lock:
            if self.pending is None:
                day = time.strftime("%Y-%m-%d", time.gmtime())
                uses = [{"alias": a, "tenant": t, "client": c, "count": n} for (a, t, c), n in sorted(self.counts.items())]
                self.pending = {"service": self.service, "batchId": str(uuid.uuid4()), "days": [{"day": day, "uses": uses}]}
                self.counts = {}
            batch = self.pending
        request = urllib.request.Request(
            self.gateway + "/gateway/v1/legacy-use",
            data=json.dumps(batch).encode(),
            headers={"Content-Type": "application/json", "Authorization": "Bearer " + self._token()},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            if response.status != 202:
                raise RuntimeError("legacy-use report answered %d" % response.status)
        with self.lock:
            self.pending = None

    def run(self, interval):
        while True:
            time.sleep(interval)
            try:
                self.flush()
            except Exception as err:  # kept, sent again with the same batch id
                print("legacy-use report failed: %s" % err, file=sys.stderr, flush=True)


def handler_for(keys, issuer, audience, legacy_alias=None, reporter=None):
    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            try:
                # self.path is the request target as received: path and query, like htu.
                body, status, content_type = verify(self.headers, self.command, self.path, keys, issuer, audience), 200, "application/json"
                legacy = self.headers.get_all(legacy_alias) if legacy_alias else None
                if legacy:
                    # The old code path: the tenant from the alias, which must be the verified one.
                    if len(legacy) != 1 or legacy[0].strip() != body["tenant"]:
                        raise Refused("tenant_mismatch", "%s does not equal the assertion's tenant" % legacy_alias)
                    body["tenantFrom"] = legacy_alias
                    if reporter:
                        reporter.count(legacy_alias, body["tenant"], body["clientId"])
            except Refused as refused:
                body = {"type": "https://tenantgate.dev/problems/" + refused.code, "status": refused.status, "code": refused.code, "detail": str(refused)}
                status, content_type = refused.status, "application/problem+json"
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, *_args):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jwks", required=True)
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--audience", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--legacy-alias")
    parser.add_argument("--gateway")
    parser.add_argument("--report-client-id")
    parser.add_argument("--report-interval", type=float, default=60.0)
    args = parser.parse_args()
    reporter = None
    if args.legacy_alias and args.gateway and args.report_client_id:
        reporter = LegacyUseReporter(args.gateway, args.audience, args.report_client_id, os.environ.get("REPORT_CLIENT_SECRET", ""))
        threading.Thread(target=reporter.run, args=(args.report_interval,), daemon=True).start()
    server = ThreadingHTTPServer((args.host, args.port), handler_for(KeySet(args.jwks), args.issuer, args.audience, args.legacy_alias, reporter))
    print("listening %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
