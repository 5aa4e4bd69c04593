import { type UpsertUserBody } from '@chat/protocol';

/**
 * A lived-in platform for `pnpm dev` (`DEMO_HISTORY`): more customers and staff, about forty
 * bookings across Vietnam and Thailand, each thread with a short history in the language its
 * customer writes in, some read and some not, and notifications for the bell. Everything is
 * keyed, so loading it twice changes nothing.
 */

type DemoUser = Omit<UpsertUserBody, 'password'> & { id: string };

export const HISTORY_USERS: readonly DemoUser[] = [
  ...(
    [
      ['u_mai', 'Nguyễn Thị Mai', 'mai', 'VN'],
      ['u_khoa', 'Trần Minh Khoa', 'khoa', 'VN'],
      ['u_nam', 'Lê Hoàng Nam', 'nam', 'VN'],
      ['u_ha', 'Phạm Thu Hà', 'thuha', 'VN'],
      ['u_huy', 'Đỗ Quang Huy', 'huy', 'VN'],
      ['u_ngocanh', 'Vũ Ngọc Anh', 'ngocanh', 'VN'],
      ['u_somsak', 'สมศักดิ์ วงศ์สา', 'somsak', 'TH'],
      ['u_pim', 'พิมพ์ชนก สุขใส', 'pim', 'TH'],
      ['u_nattapong', 'ณัฐพงศ์ ชัยวัฒน์', 'nattapong', 'TH'],
      ['u_kanya', 'กัญญา รัตนกร', 'kanya', 'TH'],
      ['u_emma', 'Emma Schmidt', 'emma', 'DE'],
      ['u_james', 'James Carter', 'james', 'GB'],
      ['u_sophie', 'Sophie Martin', 'sophie', 'FR'],
      ['u_kenji', 'Kenji Tanaka', 'kenji', 'JP'],
    ] as const
  ).map(([id, name, handle, country]) => ({
    id,
    email: `${handle}@demo.test`,
    name,
    handle,
    role: 'customer' as const,
    country,
  })),
  {
    id: 'u_hoa',
    email: 'hoa@demo.test',
    name: 'Hoa Nguyen',
    handle: 'hoa',
    role: 'staff',
    country: 'VN',
  },
  {
    id: 'u_nok',
    email: 'nok@demo.test',
    name: 'Nok Kittisak',
    handle: 'nok',
    role: 'staff',
    country: 'TH',
  },
];

type Language = 'vi' | 'th' | 'en';

/** A conversation: who says what (`c` the customer, `s` the staff member), in order. */
type Script = ReadonlyArray<readonly ['c' | 's', string]>;

const SCRIPTS: Record<Language, readonly Script[]> = {
  vi: [
    [
      ['c', 'Chào bạn, mình đã đặt phòng ở {property}. Khách sạn có xe đón sân bay không ạ?'],
      ['s', 'Dạ chào anh/chị, bên em có xe đón sân bay, phí 250.000đ một chiều ạ.'],
      ['c', 'Tuyệt quá, cho mình đặt xe lúc 14h ngày nhận phòng nhé.'],
      ['s', 'Dạ em đã ghi nhận. Tài xế sẽ cầm bảng tên ở cửa ra số 2 ạ.'],
    ],
    [
      ['c', 'Cho mình hỏi phòng có ban công nhìn ra biển không?'],
      ['s', 'Dạ phòng Deluxe có ban công hướng biển ạ. Anh/chị có muốn nâng hạng không?'],
      ['c', 'Giá nâng hạng thêm bao nhiêu vậy bạn?'],
      ['s', 'Dạ thêm 400.000đ mỗi đêm, đã gồm bữa sáng cho 2 người ạ.'],
      ['c', 'Ok, nâng hạng giúp mình nhé. Cảm ơn!'],
    ],
    [
      ['c', 'Chuyến bay của mình hạ cánh lúc 8h sáng. Có nhận phòng sớm được không ạ?'],
      ['s', 'Dạ nếu có phòng trống thì bên em cho nhận sớm miễn phí ạ. Em sẽ báo lại trước 7h.'],
      ['c', 'Cảm ơn bạn nhiều 🙏'],
    ],
    [
      ['c', 'Mình muốn đổi ngày nhận phòng sang thứ Bảy có được không?'],
      ['s', 'Dạ được ạ, giá phòng thứ Bảy cao hơn 150.000đ. Em cập nhật giúp anh/chị nhé?'],
      ['c', 'Ừ bạn đổi giúp mình.'],
      ['s', 'Dạ em đã đổi xong, email xác nhận mới đã được gửi ạ.'],
      ['c', 'Mình nhận được rồi. Gia đình mình có mang theo bé 2 tuổi, có cũi không bạn?'],
    ],
  ],
  th: [
    [
      ['c', 'สวัสดีค่ะ จองห้องที่ {property} ไว้ค่ะ มีบริการรับส่งสนามบินไหมคะ'],
      ['s', 'สวัสดีครับ มีบริการรับส่งจากสนามบิน ราคา 800 บาทต่อเที่ยวครับ'],
      ['c', 'ดีเลยค่ะ ขอจองรถเวลาบ่ายสองโมงนะคะ'],
      ['s', 'รับทราบครับ คนขับจะถือป้ายชื่อรอที่ประตู 3 ครับ'],
    ],
    [
      ['c', 'ขอเช็คอินก่อนเวลาได้ไหมครับ เครื่องลงตอนเช้า'],
      ['s', 'ได้ครับ ถ้ามีห้องว่างไม่มีค่าใช้จ่ายเพิ่มครับ'],
      ['c', 'ขอบคุณมากครับ 🙏'],
    ],
    [
      ['c', 'ห้องพักรวมอาหารเช้าไหมคะ'],
      ['s', 'รวมอาหารเช้าบุฟเฟต์สำหรับ 2 ท่านค่ะ เสิร์ฟ 6:30 ถึง 10:30 น.'],
      ['c', 'มีสระว่ายน้ำสำหรับเด็กด้วยไหมคะ'],
      ['s', 'มีค่ะ อยู่ชั้น 2 ข้างฟิตเนสค่ะ'],
      ['c', 'เยี่ยมเลยค่ะ แล้วเจอกันนะคะ'],
    ],
    [
      ['c', 'ผมอยากเปลี่ยนวันเข้าพักเป็นวันเสาร์ได้ไหมครับ'],
      ['s', 'ได้ครับ ราคาวันเสาร์เพิ่ม 500 บาทครับ ให้เปลี่ยนเลยไหมครับ'],
      ['c', 'เปลี่ยนเลยครับ'],
      ['s', 'เรียบร้อยครับ ส่งอีเมลยืนยันใหม่ให้แล้วครับ'],
    ],
  ],
  en: [
    [
      ['c', 'Hi! We land at 11 pm — is a late check-in at {property} OK?'],
      ['s', 'Of course, the front desk is open around the clock. See you tonight!'],
      ['c', 'Great, thank you.'],
    ],
    [
      ['c', 'Could we add a baby cot to the room?'],
      ['s', 'Yes, it is free of charge. I have added it to your booking.'],
      ['c', 'Perfect. Is there parking at the property?'],
      ['s', 'There is free parking behind the building; the gate code is in your confirmation.'],
    ],
    [
      ['c', 'Is breakfast included, and what time does it start?'],
      ['s', 'Breakfast is included for two, from 6:30 to 10:30 on the ground floor.'],
      ['c', 'Do you have vegetarian options?'],
      ['s', 'We do — let us know any allergies and the kitchen will prepare something for you.'],
      ['c', 'No allergies, vegetarian is enough. Thanks!'],
    ],
    [
      ['c', 'Our flight was cancelled. Can we move the booking by one day?'],
      ['s', 'I am sorry to hear that. I can move it without a fee; shall I go ahead?'],
      ['c', 'Yes please, that would be a huge help.'],
      ['s', 'Done. You will get a new confirmation by e-mail in a few minutes.'],
    ],
  ],
};

const PROPERTIES = {
  VN: [
    'Sen Villa Hội An',
    'Hồ Tây Boutique Hotel',
    'Mây Homestay Sa Pa',
    'Biển Xanh Resort Đà Nẵng',
    'Phố Cổ Residence Hà Nội',
    'Saigon Riverside Suites',
    'Phú Quốc Sunset Bungalows',
    'Đà Lạt Pine Hill Lodge',
    'Hạ Long Lotus Cruise',
  ],
  TH: [
    'Baan Suan Chiang Mai',
    'Riverside Bangkok Loft',
    'Krabi Cliff Villas',
    'Phuket Andaman Bay Resort',
    'Koh Samui Palm Cottages',
    'Pai Mountain Retreat',
    'Sukhumvit City Residence',
    'Hua Hin Seaside Villa',
  ],
} as const;

/** The customers of each country's bookings and the language each writes in. */
const CUSTOMERS: Record<'VN' | 'TH', ReadonlyArray<readonly [string, Language]>> = {
  VN: [
    ['u_alice', 'vi'],
    ['u_mai', 'vi'],
    ['u_khoa', 'vi'],
    ['u_nam', 'vi'],
    ['u_ha', 'vi'],
    ['u_huy', 'vi'],
    ['u_ngocanh', 'vi'],
    ['u_emma', 'en'],
    ['u_james', 'en'],
    ['u_kenji', 'en'],
  ],
  TH: [
    ['u_bob', 'th'],
    ['u_somsak', 'th'],
    ['u_pim', 'th'],
    ['u_nattapong', 'th'],
    ['u_kanya', 'th'],
    ['u_sophie', 'en'],
    ['u_james', 'en'],
    ['u_emma', 'en'],
  ],
};

const STAFF: Record<'VN' | 'TH', readonly string[]> = {
  VN: ['u_linh', 'u_hoa', 'u_linh', 'u_vu'],
  TH: ['u_somchai', 'u_nok'],
};

/** What a customer says last in a recent thread where staff answered last. */
const THANKS: Record<Language, string> = {
  vi: 'Cảm ơn bạn nhiều nhé!',
  th: 'ขอบคุณมากค่ะ',
  en: 'Thanks a lot!',
};

export interface HistoryMessage {
  authorId: string;
  body: string;
  /** Minutes before the seed runs. */
  minutesAgo: number;
}

export interface HistoryBooking {
  id: string;
  ref: string;
  country: 'VN' | 'TH';
  creatorId: string;
  managerId: string;
  property: string;
  messages: HistoryMessage[];
  /** How far each participant has read (seq); missing: nothing read. */
  reads: Record<string, number>;
}

/** 22 bookings in Vietnam and 18 in Thailand, spread over the last three weeks. */
export const HISTORY_BOOKINGS: readonly HistoryBooking[] = (['VN', 'TH'] as const).flatMap(
  (country) => {
    const count = country === 'VN' ? 22 : 18;
    return Array.from({ length: count }, (_, index): HistoryBooking => {
      const [creatorId, language] = CUSTOMERS[country][index % CUSTOMERS[country].length]!;
      const managerId = STAFF[country][index % STAFF[country].length]!;
      const property = PROPERTIES[country][(index * 5) % PROPERTIES[country].length]!;
      const script = SCRIPTS[language][index % SCRIPTS[language].length]!;
      // The most recent threads are the first ones; their messages are minutes to days old.
      const startedMinutesAgo = 40 + index * index * 45;
      const messages = script.map(([who, text], at) => ({
        authorId: who === 'c' ? creatorId : managerId,
        body: text.replace('{property}', property),
        minutesAgo: Math.max(1, startedMinutesAgo - at * (7 + index)),
      }));
      // Recent threads end with the customer, waiting for an answer.
      if (index <= 10 && messages.at(-1)!.authorId === managerId) {
        messages.push({
          authorId: creatorId,
          body: THANKS[language],
          minutesAgo: Math.max(1, startedMinutesAgo - messages.length * (7 + index)),
        });
      }
      if (index % 7 === 3) {
        const colleague = STAFF[country].find((id) => id !== managerId)!;
        const handle = colleague.slice(2);
        messages.push({
          authorId: managerId,
          body:
            language === 'th'
              ? `@${handle} ช่วยยืนยันรถรับส่งให้ลูกค้าท่านนี้ด้วยครับ`
              : language === 'vi'
                ? `@${handle} chị kiểm tra giúp em lịch xe đón của khách này nhé`
                : `@${handle} could you confirm the transfer for this guest?`,
          minutesAgo: Math.max(1, startedMinutesAgo - messages.length * (7 + index)),
        });
      }
      const number = (country === 'VN' ? 1100 : 2100) + index;
      const last = messages.length;
      // Older threads are read by everyone; recent ones leave someone with unread messages.
      const reads: Record<string, number> =
        index > 10
          ? { [creatorId]: last, [managerId]: last }
          : index % 3 === 0
            ? { [creatorId]: last }
            : index % 3 === 1
              ? { [managerId]: last - 1 }
              : {};
      return {
        id: `bk_${number}`,
        ref: `BK-${number}`,
        country,
        creatorId,
        managerId,
        property,
        messages,
        reads,
      };
    });
  },
);

/** Notifications from the rest of the platform, for the bell. */
export const HISTORY_NOTIFICATIONS: ReadonlyArray<{
  key: string;
  userId: string;
  type: string;
  title: string;
  body: string;
  bookingId: string;
}> = [
  {
    key: 'demo:confirmed:bk_1100',
    userId: 'u_alice',
    type: 'booking.confirmed',
    title: 'Booking BK-1100 confirmed',
    body: 'Sen Villa Hội An is looking forward to your stay.',
    bookingId: 'bk_1100',
  },
  {
    key: 'demo:payment:bk_1110',
    userId: 'u_alice',
    type: 'payment.received',
    title: 'Payment received for BK-1110',
    body: '3.200.000đ — thank you.',
    bookingId: 'bk_1110',
  },
  {
    key: 'demo:checkin:bk_2100',
    userId: 'u_bob',
    type: 'booking.reminder',
    title: 'Check-in tomorrow: BK-2100',
    body: 'Baan Suan Chiang Mai, from 14:00.',
    bookingId: 'bk_2100',
  },
  {
    key: 'demo:review:bk_1101',
    userId: 'u_linh',
    type: 'review.posted',
    title: 'New 5-star review on BK-1101',
    body: '“Phòng sạch sẽ, nhân viên rất nhiệt tình!”',
    bookingId: 'bk_1101',
  },
  {
    key: 'demo:cancel:bk_2103',
    userId: 'u_somchai',
    type: 'booking.cancelled',
    title: 'BK-2103 was cancelled by the guest',
    body: 'The refund was issued automatically.',
    bookingId: 'bk_2103',
  },
];
