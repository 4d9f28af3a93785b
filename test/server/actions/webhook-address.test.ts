/**
 * Which addresses the webhook guard refuses, as a pure function of the address text: nothing here
 * connects anywhere (the refusal before connecting is shown against loopback in call-webhook.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { addressRefusal } from '../../../src/server/actions/webhook-address.ts';

describe('addressRefusal', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.255.0.9', 'a loopback address'],
    ['::1', 'a loopback address'],
    ['0.0.0.0', 'an unspecified address'],
    ['::', 'an unspecified address'],
    ['10.20.30.40', 'a private address'],
    ['172.16.0.1', 'a private address'],
    ['172.31.255.255', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['fd12:3456::1', 'a private address'],
    ['fc00::1', 'a private address'],
    ['169.254.169.254', 'a link-local address'],
    ['fe80::1', 'a link-local address'],
    ['fe80::1%eth0', 'a link-local address'],
    ['100.64.0.1', 'a shared (CGNAT) address'],
    ['100.127.255.255', 'a shared (CGNAT) address'],
    ['224.0.0.251', 'a multicast address'],
    ['ff02::1', 'a multicast address'],
    ['255.255.255.255', 'a reserved address'],
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['::ffff:a9fe:a9fe', 'a link-local address'],
    ['::ffff:192.168.0.1', 'a private address'],
    ['::10.0.0.1', 'a private address in IPv6 form'],
    ['64:ff9b::7f00:1', 'a loopback address in IPv6 form'],
    ['2002:c0a8:0101::1', 'a private address in IPv6 form'],
    ['not-an-address', 'not an IP address'],
  ])('refuses %s as %s', (address, refusal) => {
    expect(addressRefusal(address)).toBe(refusal);
  });

  it.each([
    '172.15.255.255',
    '172.32.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '192.169.0.1',
    '9.9.9.9',
    '2606:4700:4700::1111',
    '::ffff:9.9.9.9',
    '64:ff9b::909:909',
  ])('lets the public address %s through', (address) => {
    expect(addressRefusal(address)).toBeNull();
  });
});
