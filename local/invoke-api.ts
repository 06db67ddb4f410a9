// The Lambda Invoke API for the manifests' internal functions, so services call each other locally through the
// same @aws-sdk/client-lambda code they use in AWS (AWS_ENDPOINT_URL_LAMBDA points here).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionLimits } from '../layers/common/function-defaults';
import { type AnyHandler, invoke, lambdaContext } from './lambda';

export interface InvokeTarget extends FunctionLimits {
  handler: AnyHandler;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startInvokeApi(targets: Map<string, InvokeTarget>, port = 0) {
  const server = createServer(async (request, response) => {
    const match = INVOKE_PATH.exec(new URL(request.url ?? '/', 'http://localhost').pathname);
    const name = match?.[1] ? decodeURIComponent(match[1]) : undefined;
    const target = name ? targets.get(name.split(':').pop() ?? name) : undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== 'POST' || !target || !name) {
      response.writeHead(404, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'ResourceNotFoundException',
      });
      response.end(JSON.stringify({ Type: 'User', message: `Function not found: ${name ?? request.url}` }));
      return;
    }
    const event = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    try {
      const context = lambdaContext(name, target);
      const result = await invoke(target.handler, event, context, target.timeoutSeconds);
      response.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
      response.end(JSON.stringify(result ?? null));
    } catch (error) {
      // What Lambda does when a function throws: 200, with the error in the payload and X-Amz-Function-Error set.
      response.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
      response.end(
        JSON.stringify({ errorType: (error as Error).name, errorMessage: (error as Error).message }),
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
