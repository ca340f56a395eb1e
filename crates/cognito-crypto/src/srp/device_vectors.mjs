// Records remembered-device SRP vectors from amazon-cognito-identity-js itself, for
// `amazon_cognito_identity_js_device_vectors` in `tests.rs`. The tests read the JSON this
// prints; they never run this script.
//
// Usage, from the repository root:
//
//     (cd conformance/clients/node && npm ci)
//     node crates/cognito-crypto/src/srp/device_vectors.mjs \
//         > crates/cognito-crypto/src/srp/cognito_identity_js_device_vectors.json
//
// What it runs is the library's own code, not a copy of it:
//
// 1. `CognitoUser.authenticateUserInternal` with an `AuthenticationResult` carrying
//    `NewDeviceMetadata`: the library calls `AuthenticationHelper.generateHashDevice`
//    (a random device password and salt, then the verifier) and sends `ConfirmDevice`
//    with `DeviceSecretVerifierConfig`, which is recorded.
// 2. `CognitoUser.getDeviceResponse`: the library sends `DEVICE_SRP_AUTH` with `SRP_A`,
//    is answered `DEVICE_PASSWORD_VERIFIER` with `SRP_B`, `SALT` and `SECRET_BLOCK`, and
//    sends back `TIMESTAMP` and `PASSWORD_CLAIM_SIGNATURE`, which are recorded.
//
// The network is a fake `client.request` that records each request and answers it.
// The server's `SRP_B = (k*v + g^b) % N` is computed here from the fixed `b` and the
// verifier the library sent, and written as the library's own `padHex` writes numbers
// (the emulator's `srp_b()` writes them the same way, which the test checks).
//
// Randomness and time are fixed: `globalThis.crypto.getRandomValues` (which the library's
// `cryptoSecureRandomInt` calls once per 4 random bytes, read big-endian by `WordArray`)
// is replaced by a queue of the bytes each case lists, and `Date` with one that answers
// the case's instant when constructed without arguments. Every queued byte must be
// drawn, and nothing more, or the script fails.

import { createRequire } from 'node:module';

const require = createRequire(
	new URL('../../../../conformance/clients/node/package.json', import.meta.url)
);

// ---------------------------------------------------------------------------------------
// Fixed randomness and clock, installed before the library loads.
// ---------------------------------------------------------------------------------------

let queue = [];

function feed(...hexParts) {
	if (queue.length !== 0) {
		throw new Error(`${queue.length} random bytes were not drawn`);
	}
	queue = [...Buffer.from(hexParts.join(''), 'hex')];
}

function drained(what) {
	if (queue.length !== 0) {
		throw new Error(`${what}: ${queue.length} random bytes were not drawn`);
	}
}

globalThis.crypto.getRandomValues = array => {
	if (!(array instanceof Uint32Array) || array.length !== 1) {
		throw new Error('the library asked for randomness in an unexpected shape');
	}
	if (queue.length < 4) {
		throw new Error('the library drew more random bytes than the case provides');
	}
	const [a, b, c, d] = queue.splice(0, 4);
	array[0] = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
	return array;
};

const RealDate = Date;
let nowMillis = 0;
globalThis.Date = class extends RealDate {
	constructor(...args) {
		if (args.length === 0) {
			super(nowMillis);
		} else {
			super(...args);
		}
	}

	static now() {
		return nowMillis;
	}
};

const pkg = require('amazon-cognito-identity-js/package.json');
const {
	AuthenticationHelper,
	CognitoUser,
	CognitoUserPool,
} = require('amazon-cognito-identity-js');
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;

// ---------------------------------------------------------------------------------------
// The server's half, outside the library: B = (k*v + g^b) % N.
// ---------------------------------------------------------------------------------------

function modPow(base, exponent, modulus) {
	let result = 1n;
	base %= modulus;
	while (exponent > 0n) {
		if (exponent & 1n) {
			result = (result * base) % modulus;
		}
		base = (base * base) % modulus;
		exponent >>= 1n;
	}
	return result;
}

function serverB(helper, verifierHex, bHex) {
	const n = BigInt(`0x${helper.N.toString(16)}`);
	const g = BigInt(`0x${helper.g.toString(16)}`);
	const k = BigInt(`0x${helper.k.toString(16)}`);
	const v = BigInt(`0x${verifierHex}`);
	const b = BigInt(`0x${bHex}`);
	const publicB = (k * v + modPow(g, b, n)) % n;
	return helper.padHex(new BigInteger(publicB.toString(16), 16));
}

// ---------------------------------------------------------------------------------------
// A fake network and tokens the library can parse.
// ---------------------------------------------------------------------------------------

function fakeJwt(claims) {
	const part = value => Buffer.from(JSON.stringify(value)).toString('base64url');
	return `${part({ alg: 'none' })}.${part(claims)}.c2ln`;
}

function tokens(epoch) {
	const claims = { sub: 'recorded', iat: epoch, exp: epoch + 3600 };
	return {
		AccessToken: fakeJwt({ ...claims, token_use: 'access' }),
		IdToken: fakeJwt({ ...claims, token_use: 'id' }),
		RefreshToken: 'refresh',
		ExpiresIn: 3600,
		TokenType: 'Bearer',
	};
}

function memoryStorage() {
	const items = new Map();
	return {
		getItem: key => (items.has(key) ? items.get(key) : null),
		setItem: (key, value) => items.set(key, String(value)),
		removeItem: key => items.delete(key),
		clear: () => items.clear(),
	};
}

// ---------------------------------------------------------------------------------------
// One case.
// ---------------------------------------------------------------------------------------

async function record(c) {
	const epoch = c.timestamp_epoch;
	nowMillis = epoch * 1000;
	const pool = new CognitoUserPool({
		UserPoolId: c.pool_id,
		ClientId: '1example23456789abcdefghij',
	});
	const user = new CognitoUser({
		Username: c.username,
		Pool: pool,
		Storage: memoryStorage(),
	});
	const sent = {};
	let answerSrpAuth;
	user.client = {
		request(operation, params, callback) {
			if (operation === 'ConfirmDevice') {
				sent.ConfirmDevice = params;
				return callback(null, { UserConfirmationNecessary: false });
			}
			if (operation !== 'RespondToAuthChallenge') {
				return callback(new Error(`unexpected ${operation}`));
			}
			if (params.ChallengeName === 'DEVICE_SRP_AUTH') {
				sent.DEVICE_SRP_AUTH = params.ChallengeResponses;
				return callback(null, answerSrpAuth());
			}
			if (params.ChallengeName === 'DEVICE_PASSWORD_VERIFIER') {
				sent.DEVICE_PASSWORD_VERIFIER = params.ChallengeResponses;
				return callback(null, { AuthenticationResult: tokens(epoch) });
			}
			return callback(new Error(`unexpected challenge ${params.ChallengeName}`));
		},
	};

	// 1. A sign-in that ends with NewDeviceMetadata: the library confirms the device.
	// The helper's constructor draws its own SRP `a` (unused here), then
	// generateHashDevice draws 40 bytes for the password and 16 for the salt.
	feed('11'.repeat(128));
	const signInHelper = new AuthenticationHelper(pool.getUserPoolName());
	drained('AuthenticationHelper constructor');
	feed(c.device_password_random, c.device_salt_random);
	await new Promise((resolve, reject) => {
		user.authenticateUserInternal(
			{
				AuthenticationResult: {
					...tokens(epoch),
					NewDeviceMetadata: {
						DeviceGroupKey: c.device_group_key,
						DeviceKey: c.device_key,
					},
				},
			},
			signInHelper,
			{ onSuccess: resolve, onFailure: reject }
		);
	});
	drained('generateHashDevice');
	const config = sent.ConfirmDevice.DeviceSecretVerifierConfig;
	const verifierHex = Buffer.from(config.PasswordVerifier, 'base64').toString('hex');
	const saltHex = Buffer.from(config.Salt, 'base64').toString('hex');

	// 2. The device sign-in: DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER.
	answerSrpAuth = () => ({
		ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
		Session: 'session',
		ChallengeParameters: {
			USERNAME: c.username,
			DEVICE_KEY: c.device_key,
			SRP_B: serverB(signInHelper, verifierHex, c.b),
			SALT: saltHex,
			SECRET_BLOCK: c.SECRET_BLOCK,
		},
	});
	feed(c.a);
	await new Promise((resolve, reject) => {
		user.getDeviceResponse({ onSuccess: resolve, onFailure: reject });
	});
	drained('getDeviceResponse');

	const claim = sent.DEVICE_PASSWORD_VERIFIER;
	if (claim.PASSWORD_CLAIM_SECRET_BLOCK !== c.SECRET_BLOCK) {
		throw new Error('the library changed the secret block');
	}
	if (claim.DEVICE_KEY !== c.device_key) {
		throw new Error('the library sent another device key');
	}
	return {
		...c,
		device_password: user.randomPassword,
		DeviceSecretVerifierConfig: config,
		SRP_A: sent.DEVICE_SRP_AUTH.SRP_A,
		SRP_B: answerSrpAuth().ChallengeParameters.SRP_B,
		SALT: saltHex,
		TIMESTAMP: claim.TIMESTAMP,
		PASSWORD_CLAIM_SIGNATURE: claim.PASSWORD_CLAIM_SIGNATURE,
	};
}

const cases = [
	{
		description:
			'salt with its top bit set: Salt gains a 00 sign byte (17 bytes)',
		pool_id: 'us-east-1_AbCdEf123',
		username: '7d2e0f3a-1c4b-4e8f-9a6d-2b5c8e1f0a93',
		device_group_key: '-Fq2WxYz9',
		device_key: 'us-east-1_0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0',
		device_password_random:
			'0123456789abcdeffedcba98765432100123456789abcdeffedcba98765432100123456789abcdef',
		device_salt_random: 'c1d2e3f405162738495a6b7c8d9eafb0',
		b: 'b0b0b0b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcc',
		a: '0a1b2c3d4e5f6071'.repeat(16),
		SECRET_BLOCK: 'ZGV2aWNlIHNlY3JldCBibG9jayBmcm9tIHRoZSBzZXJ2ZXI=',
		timestamp_epoch: 1767416767,
	},
	{
		description:
			'salt with a leading zero byte: Salt drops it (15 bytes); day of the month above 9',
		pool_id: 'eu-west-3_Zz9Yy8Xx7',
		username: 'device.owner@example.com',
		device_group_key: '-k3Jd8QpR',
		device_key: 'eu-west-3_a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
		device_password_random:
			'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100ffeeddccbbaa9988',
		device_salt_random: '00123456789abcdef0123456789abcde',
		b: '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20',
		a: 'fedcba9876543210'.repeat(16),
		SECRET_BLOCK: 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=',
		timestamp_epoch: 1781258400,
	},
];

const recorded = [];
for (const c of cases) {
	recorded.push(await record(c));
}

process.stdout.write(
	`${JSON.stringify(
		{
			source:
				`amazon-cognito-identity-js ${pkg.version}, recorded by src/srp/device_vectors.mjs: ` +
				'CognitoUser.authenticateUserInternal confirming a new device ' +
				'(AuthenticationHelper.generateHashDevice, then ConfirmDevice with ' +
				'DeviceSecretVerifierConfig), then CognitoUser.getDeviceResponse ' +
				'(DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER), with its random bytes and ' +
				'clock fixed to the values below. `b` is the server\'s secret; SRP_B, SALT ' +
				'and SECRET_BLOCK what the server sent; device_password, ' +
				'DeviceSecretVerifierConfig, SRP_A, TIMESTAMP and PASSWORD_CLAIM_SIGNATURE ' +
				'what the library made and sent.',
			cases: recorded,
		},
		null,
		2
	)}\n`
);
