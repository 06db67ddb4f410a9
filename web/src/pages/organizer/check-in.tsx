// The door: scan tickets with the device's camera (BarcodeDetector, where the browser has it) or type a code, and get
// a big green or red answer. Each scan has its own id, so a retry after a network error is never counted twice; scans
// that could not be sent at all are kept on the device and uploaded as an offline batch (the earliest scan wins).
import { useEffect, useRef, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { api, type paths, unwrap } from '../../api/client';
import { RequireUser } from '../../components/layout';
import { Alert, useLoad } from '../../components/ui';
import { formatAgo, formatTimeOfDay } from '../../lib/format';

type Admitted = paths['/v1/events/{id}/check-ins']['post']['responses'][200]['content']['application/json'];
// A refused scan is a problem with the scan's outcome (a plain problem answers an unknown event).
type Refused = Extract<
  paths['/v1/events/{id}/check-ins']['post']['responses'][409]['content']['application/problem+json'],
  { outcome: unknown }
>;
type Answer =
  | { kind: 'admitted'; body: Admitted }
  | { kind: 'refused'; body: Refused }
  | { kind: 'saved'; pending: number }
  | { kind: 'info'; message: string };
type PendingScan = { scanId: string; payload?: string; code?: string; scannedAt: string };

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
declare global {
  interface Window {
    BarcodeDetector?: new (options: { formats: string[] }) => Detector;
  }
}

const pendingKey = (eventId: string) => `check-in:pending:${eventId}`;
const readPending = (eventId: string): PendingScan[] =>
  JSON.parse(localStorage.getItem(pendingKey(eventId)) ?? '[]') as PendingScan[];
const writePending = (eventId: string, scans: PendingScan[]) =>
  localStorage.setItem(pendingKey(eventId), JSON.stringify(scans));

export function CheckInPage() {
  return (
    <RequireUser>
      <CheckIn />
    </RequireUser>
  );
}

function CheckIn() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const [gate, setGate] = useState(() => localStorage.getItem('check-in:gate') ?? '');
  const [code, setCode] = useState('');
  const [answer, setAnswer] = useState<Answer>();
  const [pending, setPending] = useState(() => readPending(id).length);
  const [camera, setCamera] = useState<'off' | 'on' | 'unsupported'>(() =>
    window.BarcodeDetector ? 'off' : 'unsupported',
  );
  const video = useRef<HTMLVideoElement>(null);
  const busy = useRef(false);
  const lastPayload = useRef<{ value: string; at: number } | null>(null);

  const submit = async (scan: { payload?: string; code?: string }) => {
    if (busy.current) return;
    busy.current = true;
    const scanId = crypto.randomUUID();
    const body = { scanId, ...scan, ...(gate.trim() ? { gate: gate.trim() } : {}) };
    try {
      for (let attempt = 0; ; attempt += 1) {
        try {
          const { data, error, response } = await api.POST('/v1/events/{id}/check-ins', {
            params: { path: { id } },
            body,
          });
          if (response.ok && data) setAnswer({ kind: 'admitted', body: data });
          else if (error && typeof error === 'object' && 'outcome' in error)
            setAnswer({ kind: 'refused', body: error as Refused });
          else setAnswer({ kind: 'info', message: `The server answered ${response.status}.` });
          return;
        } catch {
          // No answer: retry with the same scan id (never counted twice), then keep the scan for later.
          if (attempt < 2) continue;
          const kept = [...readPending(id), { scanId, ...scan, scannedAt: new Date().toISOString() }];
          writePending(id, kept);
          setPending(kept.length);
          setAnswer({ kind: 'saved', pending: kept.length });
          return;
        }
      }
    } finally {
      busy.current = false;
    }
  };

  const uploadPending = async () => {
    const scans = readPending(id);
    if (scans.length === 0) return;
    const { data } = await api.POST('/v1/events/{id}/check-ins/batch', {
      params: { path: { id } },
      body: { ...(gate.trim() ? { gate: gate.trim() } : {}), scans },
    });
    if (!data) return;
    writePending(id, []);
    setPending(0);
    setAnswer({
      kind: 'info',
      message: `${scans.length} offline scans sent: ${data.admitted} admitted, ${data.conflicts} conflicts.`,
    });
  };

  useEffect(() => {
    if (camera !== 'on' || !window.BarcodeDetector) return;
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    let stream: MediaStream | undefined;
    let stopped = false;
    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        if (!video.current || stopped) return;
        video.current.srcObject = stream;
        await video.current.play();
        while (!stopped && video.current) {
          const [found] = await detector.detect(video.current).catch(() => []);
          const value = found?.rawValue;
          const last = lastPayload.current;
          // The same code in front of the camera is one scan, not one per frame.
          if (value && (last?.value !== value || Date.now() - last.at > 4000)) {
            lastPayload.current = { value, at: Date.now() };
            await submit({ payload: value });
          }
          await new Promise((resolve) => requestAnimationFrame(resolve));
        }
      } catch (failure) {
        setAnswer({ kind: 'info', message: `Camera unavailable: ${(failure as Error).message}` });
        setCamera('off');
      }
    })();
    return () => {
      stopped = true;
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, [camera, id, gate]);

  return (
    <section>
      <div class="row between">
        <h1>Check-in</h1>
        <a href={`/organizer/events/${id}`}>Event dashboard</a>
      </div>
      <label>
        Gate
        <input
          value={gate}
          maxLength={60}
          placeholder="e.g. North door"
          onInput={(e) => {
            setGate(e.currentTarget.value);
            localStorage.setItem('check-in:gate', e.currentTarget.value);
          }}
        />
      </label>
      {camera === 'unsupported' ? (
        <p class="muted">This browser cannot read QR codes from the camera; type the ticket code below.</p>
      ) : (
        <button type="button" onClick={() => setCamera(camera === 'on' ? 'off' : 'on')}>
          {camera === 'on' ? 'Stop camera' : 'Scan with camera'}
        </button>
      )}
      {camera === 'on' && (
        <video ref={video} muted playsInline style={{ width: '100%', maxWidth: '480px' }} />
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (code.trim()) void submit({ code: code.trim() }).then(() => setCode(''));
        }}
      >
        <label>
          Ticket code
          <input
            value={code}
            autoComplete="off"
            placeholder="ABCDE-FGHJK-MNPQR-STVWX"
            onInput={(e) => setCode(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Check in</button>
      </form>
      <Verdict answer={answer} />
      {pending > 0 && (
        <Alert kind="info">
          {pending} scans saved on this device while offline.{' '}
          <button type="button" onClick={() => void uploadPending()}>
            Send them now
          </button>
        </Alert>
      )}
    </section>
  );
}

const big = (background: string) => ({
  background,
  color: '#fff',
  padding: '2rem 1rem',
  margin: '1rem 0',
  borderRadius: '12px',
  textAlign: 'center' as const,
  fontSize: '1.5rem',
});

function Verdict({ answer }: { answer?: Answer }) {
  if (!answer) return null;
  if (answer.kind === 'admitted')
    return (
      <div role="status" aria-live="assertive" data-verdict="admitted" style={big('#15803d')}>
        <strong style={{ fontSize: '3rem', display: 'block' }}>✓ Admit</strong>
        {answer.body.holder.firstName} · {answer.body.tier.name}
      </div>
    );
  if (answer.kind === 'refused') {
    const first = answer.body.admission;
    return (
      <div role="alert" data-verdict={answer.body.outcome} style={big('#b91c1c')}>
        <strong style={{ fontSize: '3rem', display: 'block' }}>✗ {answer.body.title}</strong>
        {first
          ? // How long ago tells the door whether a copy is being passed back; the time, with its zone, is for the record.
            `First scanned ${formatAgo(first.scannedAt, Date.now())} (${formatTimeOfDay(first.scannedAt)})${first.gate ? ` at ${first.gate}` : ''}`
          : answer.body.detail}
      </div>
    );
  }
  if (answer.kind === 'saved')
    return (
      <div role="status" data-verdict="saved" style={big('#b45309')}>
        No network: scan saved on this device ({answer.pending} waiting)
      </div>
    );
  return <Alert kind="info">{answer.message}</Alert>;
}

/** Admitted so far, by tier and by gate (the event dashboard's door figures); nothing while none are admitted. */
export function AdmittedSoFar({ id }: { id: string }) {
  const [load] = useLoad(
    () => unwrap(api.GET('/v1/events/{id}/check-ins/stats', { params: { path: { id } } })),
    [id],
  );
  if (load.state !== 'ready' || load.data.admitted === 0) return null;
  const stats = load.data;
  return (
    <p data-testid="admitted">
      Admitted: {stats.admitted} of {stats.tickets} ·{' '}
      {stats.byTier.map((tier) => `${tier.name} ${tier.admitted}/${tier.tickets}`).join(', ')} ·{' '}
      {stats.byGate.map((gate) => `${gate.gate ?? 'no gate'} ${gate.admitted}`).join(', ')}
    </p>
  );
}
