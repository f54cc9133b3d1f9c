/**
 * A loopback stand-in for SNS that records Publish calls: the bundled handler reaches it through
 * AWS_ENDPOINT_URL_SNS, with the real SNS client of the bundle. SNS speaks the Query protocol: a POST of
 * form-encoded parameters (`Action=Publish&TopicArn=…&Subject=…&Message=…`), answered in XML.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Published {
  topicArn: string | null;
  subject: string | null;
  message: string | null;
}

export class SnsStub {
  readonly published: Published[] = [];
  /** Requests that were not a Publish (their Action), answered with an error. */
  readonly unexpected: string[] = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<SnsStub> {
    const server = createServer();
    const stub = new SnsStub(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        if (request.method !== 'POST' || form.get('Action') !== 'Publish') {
          stub.unexpected.push(`${request.method ?? '?'} ${form.get('Action') ?? '(no Action)'}`);
          response.writeHead(400, { 'content-type': 'text/xml' });
          response.end('<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>only Publish</Message></Error><RequestId>stub</RequestId></ErrorResponse>');
          return;
        }
        stub.published.push({ topicArn: form.get('TopicArn'), subject: form.get('Subject'), message: form.get('Message') });
        const messageId = `00000000-0000-4000-8000-${String(stub.published.length).padStart(12, '0')}`;
        response.writeHead(200, { 'content-type': 'text/xml' });
        response.end(
          '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">' +
            `<PublishResult><MessageId>${messageId}</MessageId></PublishResult>` +
            '<ResponseMetadata><RequestId>stub-request</RequestId></ResponseMetadata></PublishResponse>',
        );
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return stub;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}
