"""An OpenID Connect relying party built on Debian's python3-authlib (and python3-requests),
with no tenantgate code: discovery, authorization code + PKCE (S256), ID token validation
against the published JWKS (RS256 only), and the UserInfo endpoint.

The browser's part (the login form) is the caller's: this prints one JSON line
{"authorize": url}, reads the callback URL the browser was sent to from stdin, then prints
one JSON line with what it verified. Any failure is a non-zero exit with the reason on stderr.
"""
import argparse
import json
import os
import sys

os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # the test Authority is plain HTTP on loopback

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.oidc.core import CodeIDToken


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--redirect-uri", required=True)
    parser.add_argument("--scope", default="openid profile")
    args = parser.parse_args()

    metadata = requests.get(args.issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=10).json()
    if metadata["issuer"] != args.issuer:
        raise SystemExit("discovery: issuer %r differs from %r" % (metadata["issuer"], args.issuer))
    if "RS256" not in metadata.get("id_token_signing_alg_values_supported", []):
        raise SystemExit("discovery: RS256 is not among id_token_signing_alg_values_supported")

    session = OAuth2Session(
        args.client_id,
        scope=args.scope,
        redirect_uri=args.redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier = generate_token(64)
    nonce = generate_token(24)
    url, state = session.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    print(json.dumps({"authorize": url}), flush=True)

    callback = sys.stdin.readline().strip()
    # authlib checks the state in the callback against the one it sent.
    token = session.fetch_token(metadata["token_endpoint"], authorization_response=callback, state=state, code_verifier=verifier)

    jwks = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    rs256_only = JsonWebToken(["RS256"])
    claims = rs256_only.decode(
        token["id_token"],
        key=jwks,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": metadata["issuer"]}, "aud": {"essential": True, "value": args.client_id}},
        claims_params={"nonce": nonce, "client_id": args.client_id},
    )
    claims.validate(leeway=5)

    response = session.get(metadata["userinfo_endpoint"])
    response.raise_for_status()
    userinfo = response.json()
    if userinfo["sub"] != claims["sub"]:
        raise SystemExit("userinfo sub %r differs from the ID token's %r" % (userinfo["sub"], claims["sub"]))

    anonymous = requests.get(metadata["userinfo_endpoint"], timeout=10)
    print(
        json.dumps(
            {
                "idTokenHeader": claims.header,
                "idToken": dict(claims),
                "userinfo": userinfo,
                "accessTokenType": token["token_type"],
                "anonymousStatus": anonymous.status_code,
                "anonymousChallenge": anonymous.headers.get("WWW-Authenticate"),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
