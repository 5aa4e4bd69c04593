import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { NotificationCentre } from '@/modules/notifications/components/notification-centre';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('notifications'))('title') };
}

export default function NotificationsPage() {
  return <NotificationCentre />;
}
