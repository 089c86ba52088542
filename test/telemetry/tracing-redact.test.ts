/** What a span may carry out of the process (src/telemetry/tracing/redact.ts). Pure. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED, redactAttributes, redactSql, redactText, redactUrl } from '../../src/telemetry/tracing/redact.ts';

const JWT = 'eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJzdWIiOiJzY2FubmVyLWJvdCJ9.c2lnbmF0dXJlLWJ5dGVz';

describe('span redaction', () => {
  it('drops query strings, fragments and user info from URLs', () => {
    assert.equal(redactUrl(`https://gw.example/api/v1/scans?access_token=${JWT}&limit=5#frag`), 'https://gw.example/api/v1/scans');
    assert.equal(redactUrl('/connect/authorize?client_id=c&code_challenge=x'), '/connect/authorize');
    assert.equal(redactUrl('postgresql://tenantgate_app:s3cret@db:5432/tenantgate'), 'postgresql://db:5432/tenantgate');
  });

  it('replaces SQL string literals, leaving placeholders and structure', () => {
    assert.equal(redactSql("alter role app password 'hunter2-long'"), "alter role app password '?'");
    assert.equal(redactSql("select 'it''s' as a, $1::text where b = 'x'"), "select '?' as a, $1::text where b = '?'");
    assert.equal(redactSql('select $tag$ secret body $tag$, $$ other $$'), "select '?', '?'");
    assert.equal(redactSql('select * from t where id = $1'), 'select * from t where id = $1');
  });

  it('removes tokens, auth schemes and secret pairs from free text', () => {
    assert.equal(redactText(`token ${JWT} rejected`), `token ${REDACTED} rejected`);
    assert.equal(redactText('sent Authorization: Bearer abc.def-ghi'), `sent Authorization: Bearer ${REDACTED}`);
    assert.equal(redactText('Basic c2Nhbm5lci1ib3Q6c2VjcmV0'), `Basic ${REDACTED}`);
    assert.equal(redactText('grant_type=client_credentials&client_secret=abc123&password=pw99'), `grant_type=client_credentials&client_secret=${REDACTED}&password=${REDACTED}`);
    assert.equal(redactText('connect to postgres://u:p@h/db failed'), 'connect to postgres://h/db failed');
    assert.equal(redactText('nothing to see here'), 'nothing to see here');
  });

  it('redacts credential-named attributes whatever their value, and bound parameters entirely', () => {
    const out = redactAttributes({
      'http.request.header.authorization': ['Bearer x'],
      'http.request.header.cookie': 'sid=1',
      'tenantgate.client_secret': 'abc',
      'db.postgresql.values': ['alice', 'pw'],
      'db.query.parameter.0': 'pw',
      'url.query': 'access_token=x',
      'url.full': `http://gw/api?access_token=${JWT}`,
      'http.target': '/api?x=1',
      'db.query.text': "select * from users where name = 'alice'",
      'exception.message': `invalid token ${JWT}`,
      'http.response.status_code': 200,
      'url.path': '/api/v1/scans/scan-0001',
    });
    assert.deepEqual(out, {
      'http.request.header.authorization': REDACTED,
      'http.request.header.cookie': REDACTED,
      'tenantgate.client_secret': REDACTED,
      'url.full': 'http://gw/api',
      'http.target': '/api',
      'db.query.text': "select * from users where name = '?'",
      'exception.message': `invalid token ${REDACTED}`,
      'http.response.status_code': 200,
      'url.path': '/api/v1/scans/scan-0001',
    });
  });

  it('returns the same object when nothing needs to change', () => {
    const clean = { 'http.route': '/api/v1/scans/:id', 'http.response.status_code': 404, 'db.query.text': 'select 1' };
    assert.equal(redactAttributes(clean), clean);
  });
});
