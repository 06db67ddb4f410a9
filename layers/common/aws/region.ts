// The region every AWS client uses. Endpoints come from AWS_ENDPOINT_URL, which the SDK reads itself.
import { optionalEnv } from '../config';

export const region = () => optionalEnv('AWS_REGION', optionalEnv('AWS_DEFAULT_REGION', 'us-east-1'));
