import { Dashboard } from '@/modules/dashboard/components/dashboard';

export default function HomePage() {
  return <Dashboard />;
}
