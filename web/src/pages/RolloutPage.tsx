/**
 * Rollout: phase and window, flags with history, the strict-mode gate with 30 days of legacy
 * usage, incidents, the readiness checklist and the go/no-go decision. Operator actions are
 * offered only to tokens holding rollout:write, which only the fleet operator role grants
 * (src/contract/roles.ts); the controller checks again on every call.
 */
import type { ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { scopes } from '../../../src/contract/scopes.ts';
import { rolloutPaths, type ChecklistView, type DecisionRecord, type FlagHistoryEntry, type Incident, type RolloutStatus, type StrictGateView } from '../api/rollout.ts';
import { useTenantQuery } from '../api/tenant-query.ts';
import { useConsole } from '../app/console-context.ts';
import { ActionForm } from '../rollout/ActionForm.tsx';
import { GateChecks, GateVerdict } from '../rollout/GateChecks.tsx';
import { SignoffSection } from '../rollout/SignoffSection.tsx';
import { UsageChart } from '../rollout/UsageChart.tsx';
import { addDays } from '../rollout/usage-series.ts';
import { Badge, DataTable, Fields, formatTime } from '../ui/DataTable.tsx';
import { Person } from '../ui/Person.tsx';
import { PageHeader, Section } from '../ui/PageHeader.tsx';
import { QueryView } from '../ui/states.tsx';

type Items<T> = { items: T[] };

function useOperator() {
  const { client, scopes: granted, tenant } = useConsole();
  const queryClient = useQueryClient();
  const canWrite = granted.includes(scopes.rolloutWrite);
  const post = async (path: string, body: unknown) => {
    await client.request(path, { method: 'POST', body });
    await queryClient.invalidateQueries({ queryKey: ['tenant', tenant, 'rollout'] });
  };
  return { canWrite, post };
}

export function RolloutPage() {
  const status = useTenantQuery<RolloutStatus>(['rollout', 'status'], rolloutPaths.status);
  return (
    <>
      <PageHeader title="Rollout" />
      <QueryView query={status}>
        {(s) => (
          <>
            <PhaseSection status={s} />
            <SignoffSection status={s} />
            <FlagsSection status={s} />
            <StrictSection />
            <IncidentsSection status={s} />
            <ChecklistSection />
            <DecisionSection />
          </>
        )}
      </QueryView>
    </>
  );
}

function PhaseSection({ status }: { status: RolloutStatus }) {
  const { canWrite, post } = useOperator();
  const { phase, state } = status;
  const phaseWindow = phase.window.end ? `${phase.window.start} → ${phase.window.end}` : `${phase.earliestStart ? 'earliest ' : ''}${phase.window.start}`;
  return (
    <Section title="Phase">
      <Fields
        entries={[
          ['Policy', `${status.policy.title} (${status.policy.date})`],
          ['Phase', `${phase.id} — ${phase.name}`],
          ['Window', phaseWindow],
          ['Strict-mode rollout', state.frozen ? <Badge key="f" tone="danger">frozen: {state.frozenReason ?? 'no reason given'}</Badge> : <Badge key="f" tone="ok">not frozen</Badge>],
          ['Open incidents', status.openIncidents],
          [
            'Compatibility window',
            status.legacyWindow.until === null
              ? 'no dated end'
              : `${status.legacyWindow.closed ? `closed ${status.legacyWindow.days} day(s) ago` : `open, ${status.legacyWindow.days} day(s) left`} (aliases through ${status.legacyWindow.until}; at the end: ${status.legacyWindow.onWindowEnd})${status.legacyWindow.pastWindowUse.length ? `; past-window use: ${status.legacyWindow.pastWindowUse.map((u) => `${u.client || '(no client)'} ${u.uses}`).join(', ')}` : ''}`,
          ],
          ...(status.warnings.length === 0
            ? []
            : ([
                [
                  'Warnings',
                  <span key="w" className="chips">
                    {status.warnings.map((w) => (
                      <Badge key={w} tone="warning">
                        {w}
                      </Badge>
                    ))}
                  </span>,
                ],
              ] as [string, ReactNode][])),
          ['Instances', `${status.instances.filter((i) => i.state === 'running').length} running, ${status.instances.filter((i) => i.state === 'gone').length} gone; ${status.converged ? 'all running on' : 'NOT all running on'} flag version ${status.flags.version}`],
          [
            'Issuer',
            status.fleetIdentity.findings.some((f) => f.problem === 'issuer_mismatch') ? (
              <Badge key="i" tone="danger">
                instances disagree: {status.fleetIdentity.findings.filter((f) => f.problem === 'issuer_mismatch').map((f) => `${f.instanceId} ${f.detail}`).join('; ')}
              </Badge>
            ) : (
              status.fleetIdentity.issuers.map((i) => i.issuer).join(', ') || 'no Authority or gateway reporting'
            ),
          ],
        ]}
      />
      <GateVerdict pass={status.exitGate.pass} label={`Exit gate of phase ${status.exitGate.phase}`} />
      <details>
        <summary>Exit criteria</summary>
        <GateChecks checks={status.exitGate.checks} caption="Exit gate checks" />
      </details>
      {canWrite && (
        <div className="page-actions">
          <ActionForm label="Advance phase" fields={[{ name: 'reason', label: 'Reason' }]} onSubmit={(v) => post(rolloutPaths.advance, { reason: v.reason })} />
          {state.frozen ? (
            <ActionForm label="Unfreeze" fields={[{ name: 'reason', label: 'Reason' }]} onSubmit={(v) => post(rolloutPaths.unfreeze, { reason: v.reason })} />
          ) : (
            <ActionForm label="Freeze" fields={[{ name: 'reason', label: 'Reason' }]} onSubmit={(v) => post(rolloutPaths.freeze, { reason: v.reason })} danger />
          )}
        </div>
      )}
    </Section>
  );
}

function FlagsSection({ status }: { status: RolloutStatus }) {
  const { canWrite, post } = useOperator();
  const history = useTenantQuery<Items<FlagHistoryEntry>>(['rollout', 'flag-history'], rolloutPaths.flagHistory);
  const flags = Object.entries(status.flags.values as Record<string, unknown>);
  // Strict mode is changed through its gate (below), never as a plain flag.
  const toggles = flags.filter(([, value]) => typeof value === 'boolean').map(([name]) => name);
  return (
    <Section title="Flags">
      <DataTable
        caption="Current flag values"
        rows={flags}
        rowKey={([name]) => name}
        columns={[
          { header: 'Flag', cell: ([name]) => <code>{name}</code> },
          { header: 'Value', cell: ([, value]) => <code>{String(value)}</code> },
        ]}
      />
      {canWrite && toggles.length > 0 && (
        <ActionForm
          label="Change a flag"
          fields={[
            { name: 'name', label: 'Flag', type: 'select', options: toggles },
            { name: 'value', label: 'Value', type: 'select', options: ['on', 'off'] },
            { name: 'reason', label: 'Reason' },
          ]}
          onSubmit={(v) => post(rolloutPaths.flags, { name: v.name, value: v.value === 'on', reason: v.reason })}
        />
      )}
      <h3>History</h3>
      <QueryView query={history} isEmpty={(h) => h.items.length === 0} empty="No flag has been changed yet.">
        {(h) => (
          <DataTable
            caption="Flag history"
            rows={h.items}
            rowKey={(e) => `${e.version}-${e.name}`}
            columns={[
              { header: 'When', cell: (e) => formatTime(e.changedAt) },
              { header: 'Flag', cell: (e) => <code>{e.name}</code> },
              { header: 'Change', cell: (e) => `${JSON.stringify(e.previous)} → ${JSON.stringify(e.value)}` },
              { header: 'By', cell: (e) => <Person name={(e as { changedByName?: string | null }).changedByName} id={e.changedBy} /> },
              { header: 'Why', cell: (e) => e.reason },
            ]}
          />
        )}
      </QueryView>
    </Section>
  );
}

function StrictSection() {
  const { canWrite, post } = useOperator();
  const strict = useTenantQuery<StrictGateView>(['rollout', 'strict'], rolloutPaths.strictGate);
  return (
    <Section title="Strict-mode gate">
      <QueryView query={strict}>
        {({ gate, history, legacySignals }) => (
          <>
            <GateVerdict pass={gate.pass} label={`Strict mode (window ${gate.window.from} → ${gate.window.to})`} />
            <Fields
              entries={[
                ['Clean days in a row', gate.cleanStreak],
                ['First failing day', gate.firstFailingDay ? `${gate.firstFailingDay.day}: ${gate.firstFailingDay.status}${gate.firstFailingDay.seen ? ` — ${gate.firstFailingDay.seen}` : ''}` : 'none'],
                ['Earliest possible pass', gate.earliestPassDay],
                ['Legacy signals', legacySignals.join(', ')],
              ]}
            />
            <h3>Legacy usage per day, last 30 days</h3>
            <UsageChart days={history} lastDay={addDays(gate.today, -1)} />
            <details>
              <summary>Gate checks</summary>
              <GateChecks checks={gate.checks} caption="Strict gate checks" />
            </details>
            {canWrite && (
              <ActionForm
                label="Enable strict mode"
                danger
                fields={[
                  { name: 'mode', label: 'Mode', type: 'select', options: ['new-clients', 'all'] },
                  { name: 'reason', label: 'Reason' },
                  { name: 'force', label: 'Force past a failing gate (audited)', type: 'checkbox' },
                ]}
                onSubmit={(v) => post(rolloutPaths.strict, { mode: v.mode, reason: v.reason, force: v.force === true })}
              />
            )}
          </>
        )}
      </QueryView>
    </Section>
  );
}

function IncidentsSection({ status }: { status: RolloutStatus }) {
  const { canWrite, post } = useOperator();
  const incidents = useTenantQuery<Items<Incident>>(['rollout', 'incidents'], rolloutPaths.incidents);
  const components = [...new Set(status.deployments.map((d) => d.component))];
  return (
    <Section title="Incidents">
      <QueryView query={incidents} isEmpty={(i) => i.items.length === 0} empty="No incidents recorded.">
        {(i) => (
          <ul className="incident-list">
            {i.items.map((incident) => (
              <li key={incident.id}>
                <details>
                  <summary>
                    #{incident.id} {incident.component}: {incident.reason} <Badge tone={incident.status === 'open' ? 'danger' : 'ok'}>{incident.status}</Badge>{' '}
                    <span className="hint">{formatTime(incident.openedAt)}</span>
                  </summary>
                  <ol className="timeline">
                    {incident.timeline.map((event) => (
                      <li key={event.id}>
                        <span className="hint">{formatTime(event.at)}</span> <strong>{event.step}</strong> ({event.outcome}): {event.detail}
                      </li>
                    ))}
                  </ol>
                </details>
              </li>
            ))}
          </ul>
        )}
      </QueryView>
      {canWrite && (
        <ActionForm
          label="Roll back a module"
          danger
          fields={[
            components.length > 0 ? { name: 'component', label: 'Module', type: 'select', options: components } : { name: 'component', label: 'Module (e.g. scanner)' },
            { name: 'reason', label: 'Reason' },
          ]}
          onSubmit={(v) => post(rolloutPaths.rollback, { component: v.component, reason: v.reason })}
        />
      )}
    </Section>
  );
}

function ChecklistSection() {
  const checklist = useTenantQuery<ChecklistView>(['rollout', 'checklist'], rolloutPaths.checklist);
  return (
    <Section title="Production readiness checklist">
      <QueryView query={checklist}>
        {({ report, jsonSha256 }) => (
          <>
            <DataTable
              caption="Checklist items"
              rows={report.items}
              rowKey={(item) => item.id}
              columns={[
                { header: 'Item', cell: (item) => item.description },
                { header: 'Status', cell: (item) => <Badge tone={item.status === 'green' ? 'ok' : 'danger'}>{item.status}</Badge> },
                { header: 'Why', cell: (item) => item.reason },
                { header: 'Evidence', cell: (item) => (item.evidence.length ? item.evidence.map((e) => `${e.name} (${e.green ? 'green' : 'red'})`).join(', ') : '—') },
              ]}
            />
            <p className="hint">
              Report sha256 <code className="wrap">{jsonSha256}</code>
            </p>
          </>
        )}
      </QueryView>
    </Section>
  );
}

function DecisionSection() {
  const { canWrite, post } = useOperator();
  const decisions = useTenantQuery<Items<DecisionRecord>>(['rollout', 'decisions'], rolloutPaths.decisions);
  return (
    <Section title="Go / no-go decision">
      <QueryView query={decisions} isEmpty={(d) => d.items.length === 0} empty="No decision recorded yet.">
        {(d) => (
          <DataTable
            caption="Decisions"
            rows={d.items}
            rowKey={(r) => String(r.id)}
            columns={[
              { header: 'When', cell: (r) => formatTime(r.decidedAt) },
              { header: 'Decision', cell: (r) => <Badge tone={r.decision === 'go' ? 'ok' : 'danger'}>{r.decision}</Badge> },
              { header: 'QA', cell: (r) => r.qa },
              { header: 'PM', cell: (r) => r.pm },
              { header: 'Note', cell: (r) => (r.forced ? `${r.note} (forced: ${r.forceReason ?? ''})` : r.note) || '—' },
            ]}
          />
        )}
      </QueryView>
      {canWrite && (
        <ActionForm
          label="Record a decision"
          fields={[
            { name: 'decision', label: 'Decision', type: 'select', options: ['go', 'no-go'] },
            { name: 'qa', label: 'QA sign-off (name)' },
            { name: 'pm', label: 'PM sign-off (name)' },
            { name: 'note', label: 'Note', required: false },
          ]}
          onSubmit={(v) => post(rolloutPaths.decisions, { decision: v.decision, qa: v.qa, pm: v.pm, note: v.note || undefined })}
        />
      )}
    </Section>
  );
}
