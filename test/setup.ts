import nock from 'nock';

// Tests talk to loopback servers only: a call that would leave the machine fails at once.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);
