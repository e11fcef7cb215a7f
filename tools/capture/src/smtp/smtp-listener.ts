import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerEnvelope, type SMTPServerSession } from 'smtp-server';
import type { CaptureState } from '../capture-state.ts';
import type { SmtpFault, SmtpStage } from '../types.ts';
import { toCapturedMessage } from './captured-message.ts';
import { smtpFaultApplies, smtpReplyError, type TransactionView } from './smtp-fault.ts';

export interface SmtpListenerOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  /** Told about mail that could not be parsed (the sender gets a 554 either way). */
  onError: (err: unknown) => void;
}

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

function envelopeOf(session: SMTPServerSession): { from: string; to: string[] } {
  const { mailFrom, rcptTo } = session.envelope;
  return { from: mailFrom ? mailFrom.address : '', to: rcptTo.map((r) => r.address) };
}

export async function startSmtpListener(state: CaptureState, options: SmtpListenerOptions): Promise<SmtpListener> {
  // A fault counts once per transaction: after it fired, the transaction's other recipients get the
  // same reply instead of eating the next turns. smtp-server makes a new envelope object for every
  // transaction (also after RSET), so the envelope identifies it.
  const firedIn = new WeakMap<SMTPServerEnvelope, SmtpFault[]>();

  function faultFor(session: SMTPServerSession, stage: SmtpStage, view: TransactionView): Error | null {
    let fired = firedIn.get(session.envelope);
    if (!fired) firedIn.set(session.envelope, (fired = []));
    const again = fired.find((f) => smtpFaultApplies(f, stage, view));
    const fault = again ?? state.smtpFaults.take((f) => smtpFaultApplies(f, stage, view));
    if (!fault) return null;
    if (!again) fired.push(fault);
    return smtpReplyError(fault);
  }

  const server = new SMTPServer({
    name: 'lifeline-capture',
    banner: 'Lifeline mail capture',
    size: options.maxMessageBytes,
    rejectOversized: true,
    // Any client may send, with or without credentials: apps configured for a real relay keep their
    // AUTH settings and still work here. No TLS: this listens on loopback for development and tests.
    authOptional: true,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    // Fault replies are sent as written, enhanced status code included; the server would otherwise
    // put its own code in front of it.
    hideENHANCEDSTATUSCODES: true,
    logger: false,
    closeTimeout: 2000,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onMailFrom(address, session, callback) {
      callback(faultFor(session, 'mail', { from: address.address, to: [] }));
    },
    onRcptTo(address, session, callback) {
      callback(faultFor(session, 'rcpt', { from: envelopeOf(session).from, to: [address.address] }));
    },
    onData(stream, session, callback) {
      const envelope = envelopeOf(session);
      const fault = faultFor(session, 'data', envelope);
      // smtp-server drains an unread message itself before it replies.
      if (fault) return callback(fault);
      simpleParser(stream).then(
        (parsed) => {
          // Over the size limit smtp-server answers 552 on its own (rejectOversized); it was never delivered.
          if (stream.sizeExceeded) return callback();
          const message = toCapturedMessage(parsed, envelope, stream.byteLength, new Date());
          state.messages.add(message);
          callback(null, `OK: captured as ${message.id}`);
        },
        (err: unknown) => {
          options.onError(err);
          callback(Object.assign(new Error('5.6.0 message could not be parsed'), { responseCode: 554 }));
        },
      );
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After start, a broken client connection must not take the server down.
  server.on('error', options.onError);

  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}
