import { Link } from '../components/Link.tsx';

export default function NotFound() {
  return (
    <div className="empty">
      <h1>Not found</h1>
      <p>
        Nothing is stored under this address. <Link href="/cohorts">Back to the cohorts</Link>.
      </p>
    </div>
  );
}
