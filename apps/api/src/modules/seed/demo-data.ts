import { type UpsertBookingBody, type UpsertUserBody } from '@chat/protocol';

/** Password of every demo user. */
export const DEMO_PASSWORD = 'demo1234';

type DemoUser = Omit<UpsertUserBody, 'password'> & { id: string };

export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: 'u_alice',
    email: 'alice@demo.test',
    name: 'Alice Nguyen',
    handle: 'alice',
    role: 'customer',
    country: 'VN',
  },
  {
    id: 'u_bob',
    email: 'bob@demo.test',
    name: 'Bob Chaiyaporn',
    handle: 'bob',
    role: 'customer',
    country: 'TH',
  },
  {
    id: 'u_linh',
    email: 'linh@demo.test',
    name: 'Linh Tran',
    handle: 'linh',
    role: 'staff',
    country: 'VN',
  },
  {
    id: 'u_vu',
    email: 'vu@demo.test',
    name: 'Vu Pham',
    handle: 'vu',
    role: 'staff',
    country: 'VN',
  },
  {
    id: 'u_somchai',
    email: 'somchai@demo.test',
    name: 'Somchai Srisuk',
    handle: 'somchai',
    role: 'staff',
    country: 'TH',
  },
  {
    id: 'u_grace',
    email: 'grace@demo.test',
    name: 'Grace Admin',
    handle: 'grace',
    role: 'admin',
    country: null,
  },
];

export const DEMO_BOOKINGS: readonly (UpsertBookingBody & { id: string })[] = [
  { id: 'bk_1001', ref: 'BK-1001', country: 'VN', creatorId: 'u_alice', managerId: 'u_linh' },
  { id: 'bk_2001', ref: 'BK-2001', country: 'TH', creatorId: 'u_bob', managerId: 'u_somchai' },
];
