// The key ring itself lives in @kiln/engine/secret-keys (the workers read it too, to verify run starters).
export { KeyRing, type SecretKey, SECRET_KEY_FILE, loadKeyRing, parseKeyRing, sealedKeyId } from '@kiln/engine/secret-keys';

/** The Nest injection token of the API's key ring. */
export const SECRET_KEYS = Symbol('KeyRing');
