/**
 * Configuration files for the benchmark's C peers, both single-process and in the foreground:
 * nginx as a bare reverse proxy, HAProxy doing in configuration what an operations team would
 * ask of it (ES256 token check, expiry, tenant headers stripped and set from the claim).
 */
import type { ContractProfile } from '../../src/contract/profile.ts';

export interface PeerConfigInput {
  /** Directory for pid, logs and temp files. */
  dir: string;
  listenPort: number;
  upstreamPort: number;
}

export function nginxConfig(i: PeerConfigInput): string {
  return `# tenantgate gateway benchmark: nginx as a bare reverse proxy
daemon off;
worker_processes 1;
pid ${i.dir}/nginx.pid;
error_log ${i.dir}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${i.dir}/nginx-body;
  proxy_temp_path ${i.dir}/nginx-proxy;
  fastcgi_temp_path ${i.dir}/nginx-fastcgi;
  uwsgi_temp_path ${i.dir}/nginx-uwsgi;
  scgi_temp_path ${i.dir}/nginx-scgi;
  keepalive_requests 1000000;
  upstream echo {
    server 127.0.0.1:${i.upstreamPort};
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${i.listenPort} reuseport;
    location / {
      proxy_pass http://echo;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

export interface HaproxyConfigInput extends PeerConfigInput {
  /** Path of the SPKI PEM public key `jwt_verify` checks ES256 signatures with. */
  publicKeyPath: string;
  profile: ContractProfile;
}

export function haproxyConfig(i: HaproxyConfigInput): string {
  const tenantHeaders = [i.profile.canonicalTenantHeader, ...i.profile.legacyTenantHeaders];
  return `# tenantgate gateway benchmark: HAProxy verifying the bearer token on every request
global
  nbthread 1
  maxconn 4096
  log stderr format raw local0 err

defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s
  http-reuse always

frontend bench
  bind 127.0.0.1:${i.listenPort}
  http-request deny deny_status 401 unless { req.hdr(authorization) -m beg "Bearer " }
  http-request set-var(txn.bearer) http_auth_bearer
  http-request set-var(txn.alg) var(txn.bearer),jwt_header_query('$.alg')
  http-request deny deny_status 401 unless { var(txn.alg) -m str ES256 }
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_verify(txn.alg,"${i.publicKeyPath}") -m int 1 }
  http-request set-var(txn.exp) var(txn.bearer),jwt_payload_query('$.exp','int')
  http-request set-var(txn.now) date()
  http-request deny deny_status 401 unless { var(txn.exp),sub(txn.now) -m int gt 0 }
  http-request set-var(txn.tenant) var(txn.bearer),jwt_payload_query('$.${i.profile.selectedTenantClaim}')
  http-request deny deny_status 403 unless { var(txn.tenant) -m found }
${tenantHeaders.map((h) => `  http-request del-header ${h}`).join('\n')}
  http-request set-header ${i.profile.canonicalTenantHeader} %[var(txn.tenant)]
  default_backend echo

backend echo
  server echo 127.0.0.1:${i.upstreamPort}
`;
}
