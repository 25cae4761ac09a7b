/**
 * Bearer-token check. With a token configured, protected routes need
 * `Authorization: Bearer <token>`; the comparison takes the same time whatever the guess.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type TokenCheck = (authorization: string | undefined) => boolean;

export function createTokenCheck(token: string | undefined): TokenCheck {
  if (!token) return () => true;
  // Hashing first gives equal-length buffers, so timingSafeEqual never throws and length leaks nothing.
  const expected = createHash('sha256').update(token).digest();
  return (authorization) => {
    const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    const given = createHash('sha256').update(match?.[1] ?? '').digest();
    return timingSafeEqual(given, expected) && match !== null;
  };
}
