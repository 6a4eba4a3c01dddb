import { metrics, trace, SpanStatusCode, type Counter, type Histogram, type Meter, type Span, type Tracer } from '@opentelemetry/api';

const INSTRUMENTATION = '@safecall/runtime';

/** The runtime's instruments; no-ops until the application installs an OpenTelemetry SDK. */
export interface Telemetry {
  readonly tracer: Tracer;
  readonly accepted: Counter;
  readonly attempts: Counter;
  readonly attemptDuration: Histogram;
  readonly finalized: Counter;
  readonly reaped: Counter;
}

export function createTelemetry(meter: Meter = metrics.getMeter(INSTRUMENTATION), tracer: Tracer = trace.getTracer(INSTRUMENTATION)): Telemetry {
  return {
    tracer,
    accepted: meter.createCounter('safecall.operations.accepted', { description: 'Accept calls, by orchestrator and created' }),
    attempts: meter.createCounter('safecall.attempts', { description: 'Finished attempts, by orchestrator and outcome kind' }),
    attemptDuration: meter.createHistogram('safecall.attempt.duration', {
      description: 'Duration of executeInternal (or reconcile)',
      unit: 'ms',
    }),
    finalized: meter.createCounter('safecall.wal.finalized', { description: 'Finalized WAL entries, by status' }),
    reaped: meter.createCounter('safecall.leases.reaped', { description: 'Expired leases decided by the reaper' }),
  };
}

/** Runs `body` in a span that records a thrown error and always ends. */
export async function inSpan<T>(tracer: Tracer, name: string, attributes: Record<string, string | number>, body: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await body(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
