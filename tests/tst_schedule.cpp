// Schedules: cron syntax and its next firing across DST changes, intervals, and what is due by a test clock.
#include "catalog.h"
#include "schedule.h"
#include "syncscheduler.h"
#include "testutil.h"

#include <QTemporaryDir>
#include <QtTest>

namespace {
QDateTime utc(const char *iso)
{
    return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODate).toUTC();
}
} // namespace

class TestSchedule : public QObject
{
    Q_OBJECT

private slots:
    void cronNextFiring_data()
    {
        QTest::addColumn<QString>("cron");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QString>("after");    // UTC
        QTest::addColumn<QString>("expected"); // UTC
        // Plain fields, lists, ranges, steps, names.
        QTest::newRow("daily 3:00 Paris, winter") << "0 3 * * *"
                                                  << "Europe/Paris"
                                                  << "2026-01-10T00:00:00Z"
                                                  << "2026-01-10T02:00:00Z";
        QTest::newRow("daily 3:00 Paris, summer") << "0 3 * * *"
                                                  << "Europe/Paris"
                                                  << "2026-07-10T02:00:00Z"
                                                  << "2026-07-11T01:00:00Z";
        QTest::newRow("strictly after") << "0 3 * * *"
                                        << "UTC"
                                        << "2026-01-10T03:00:00Z"
                                        << "2026-01-11T03:00:00Z";
        QTest::newRow("every 15 minutes") << "*/15 * * * *"
                                          << "UTC"
                                          << "2026-01-10T10:07:00Z"
                                          << "2026-01-10T10:15:00Z";
        QTest::newRow("list of hours, weekdays") << "0 8,12 * * 1-5"
                                                 << "UTC"
                                                 << "2026-01-09T12:30:00Z"
                                                 << "2026-01-12T08:00:00Z"; // Friday afternoon -> Monday
        QTest::newRow("range with a step") << "0-30/10 9 * * *"
                                           << "UTC"
                                           << "2026-01-10T09:21:00Z"
                                           << "2026-01-10T09:30:00Z";
        QTest::newRow("start with a step") << "5/20 * * * *"
                                           << "UTC"
                                           << "2026-01-10T09:26:00Z"
                                           << "2026-01-10T09:45:00Z";
        QTest::newRow("month and day names") << "0 9 * jan,jul MON"
                                             << "UTC"
                                             << "2026-02-01T00:00:00Z"
                                             << "2026-07-06T09:00:00Z";
        QTest::newRow("7 is Sunday") << "0 0 * * 7"
                                     << "UTC"
                                     << "2026-01-10T00:00:00Z"
                                     << "2026-01-11T00:00:00Z";
        // Both day fields restricted: either one fires (Vixie cron).
        QTest::newRow("day 1 or Monday") << "0 0 1 * 1"
                                         << "UTC"
                                         << "2026-01-02T00:00:00Z"
                                         << "2026-01-05T00:00:00Z";
        QTest::newRow("leap day") << "0 0 29 2 *"
                                  << "UTC"
                                  << "2026-03-01T00:00:00Z"
                                  << "2028-02-29T00:00:00Z";
        QTest::newRow("@daily") << "@daily"
                                << "UTC"
                                << "2026-01-10T00:00:01Z"
                                << "2026-01-11T00:00:00Z";
        QTest::newRow("@hourly") << "@hourly"
                                 << "UTC"
                                 << "2026-01-10T10:00:00Z"
                                 << "2026-01-10T11:00:00Z";
        QTest::newRow("@monthly") << "@monthly"
                                  << "UTC"
                                  << "2026-01-10T00:00:00Z"
                                  << "2026-02-01T00:00:00Z";
        QTest::newRow("zone ahead of UTC, next day there") << "30 1 * * *"
                                                           << "Asia/Tokyo"
                                                           << "2026-01-10T15:00:00Z"
                                                           << "2026-01-10T16:30:00Z";
        // DST: 2026-03-29 02:00 -> 03:00 in Paris (01:00 UTC); 2026-10-25 03:00 -> 02:00 (01:00 UTC).
        QTest::newRow("skipped hour fires at the change") << "30 2 * * *"
                                                          << "Europe/Paris"
                                                          << "2026-03-28T12:00:00Z"
                                                          << "2026-03-29T01:00:00Z";
        QTest::newRow("after the skipped hour, the next day") << "30 2 * * *"
                                                              << "Europe/Paris"
                                                              << "2026-03-29T01:00:00Z"
                                                              << "2026-03-30T00:30:00Z";
        QTest::newRow("repeated hour fires once, the first time") << "30 2 * * *"
                                                                  << "Europe/Paris"
                                                                  << "2026-10-24T12:00:00Z"
                                                                  << "2026-10-25T00:30:00Z";
        QTest::newRow("not again in the repeat") << "30 2 * * *"
                                                 << "Europe/Paris"
                                                 << "2026-10-25T00:30:00Z"
                                                 << "2026-10-26T01:30:00Z";
        QTest::newRow("New York spring forward") << "0 9 * * *"
                                                 << "America/New_York"
                                                 << "2026-03-07T15:00:00Z"
                                                 << "2026-03-08T13:00:00Z";
    }

    void cronNextFiring()
    {
        QFETCH(QString, cron);
        QFETCH(QString, zone);
        QFETCH(QString, after);
        QFETCH(QString, expected);
        QString error;
        const auto expression = CronExpression::parse(cron, &error);
        QVERIFY2(expression, qPrintable(error));
        const QTimeZone tz(zone.toUtf8());
        QVERIFY(tz.isValid());
        QCOMPARE(expression->next(utc(after.toLatin1()), tz), utc(expected.toLatin1()));
    }

    void badCronSaysWhy_data()
    {
        QTest::addColumn<QString>("cron");
        QTest::addColumn<QString>("says");
        QTest::newRow("three fields") << "* * *"
                                      << "has 3";
        QTest::newRow("minute 61") << "61 * * * *"
                                   << "minute field \"61\" is outside 0–59";
        QTest::newRow("hour 24") << "0 24 * * *"
                                 << "hour field";
        QTest::newRow("day 0") << "0 0 0 * *"
                               << "day of month field";
        QTest::newRow("bad name") << "0 0 * foo *"
                                  << "month field \"foo\"";
        QTest::newRow("backwards range") << "0 10-2 * * *"
                                         << "ends before it starts";
        QTest::newRow("zero step") << "*/0 * * * *"
                                   << "step";
        QTest::newRow("empty list item") << "1,,2 * * * *"
                                         << "minute field";
    }

    void badCronSaysWhy()
    {
        QFETCH(QString, cron);
        QFETCH(QString, says);
        QString error;
        QVERIFY(!CronExpression::parse(cron, &error));
        QVERIFY2(error.contains(says), qPrintable(error));
    }

    void scheduleRefusesWhatNeverFiresOrUnknownZones()
    {
        QString error;
        QVERIFY(!Schedule::fromCron(QStringLiteral("0 0 31 2 *"), "UTC", &error));
        QVERIFY2(error.contains(QLatin1String("never fires")), qPrintable(error));
        QVERIFY(!Schedule::fromCron(QStringLiteral("0 3 * * *"), "Mars/Olympus", &error));
        QVERIFY2(error.contains(QLatin1String("Mars/Olympus")), qPrintable(error));
        const auto local = Schedule::fromCron(QStringLiteral("0 3 * * *"), {}, &error);
        QVERIFY(local);
        QCOMPARE(local->timeZone, QTimeZone::systemTimeZoneId()); // kept, so it means the same elsewhere
    }

    void intervals_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("seconds"); // 0: refused
        QTest::newRow("6h") << "6h" << qint64(6 * 3600);
        QTest::newRow("30m") << "30m" << qint64(1800);
        QTest::newRow("45min") << "45min" << qint64(2700);
        QTest::newRow("1d") << "1d" << qint64(86400);
        QTest::newRow("1h30m") << "1h30m" << qint64(5400);
        QTest::newRow("2d 12h") << "2d 12h" << qint64(2 * 86400 + 12 * 3600);
        QTest::newRow("upper case") << "6H" << qint64(6 * 3600);
        QTest::newRow("seconds only") << "30s" << qint64(0);
        QTest::newRow("zero") << "0m" << qint64(0);
        QTest::newRow("no unit") << "6" << qint64(0);
        QTest::newRow("words") << "six hours" << qint64(0);
        QTest::newRow("too long") << "400d" << qint64(0);
    }

    void intervals()
    {
        QFETCH(QString, text);
        QFETCH(qint64, seconds);
        QString error;
        const auto schedule = Schedule::every(text, &error);
        if (seconds == 0) {
            QVERIFY(!schedule);
            QVERIFY2(error.contains(QLatin1String("30m, 6h, 1d")), qPrintable(error));
            return;
        }
        QVERIFY2(schedule, qPrintable(error));
        QCOMPARE(schedule->everySeconds, seconds);
    }

    void nextRunCountsFromTheLastRunAndServesMissedFiringsOnce()
    {
        QString error;
        auto every = *Schedule::every(QStringLiteral("6h"), &error);
        every.setAt = utc("2026-01-10T08:00:00Z");
        QCOMPARE(every.nextRun({}), every.setAt); // never ran: due at once
        QCOMPARE(every.nextRun(utc("2026-01-10T09:00:00Z")), utc("2026-01-10T15:00:00Z"));
        every.lastFired = utc("2026-01-10T10:00:00Z"); // fired later than the run it saw
        QCOMPARE(every.nextRun(utc("2026-01-10T09:00:00Z")), utc("2026-01-10T16:00:00Z"));

        auto cron = *Schedule::fromCron(QStringLiteral("0 3 * * *"), "UTC", &error);
        cron.setAt = utc("2026-01-10T08:00:00Z");
        QCOMPARE(cron.nextRun({}), utc("2026-01-11T03:00:00Z")); // first after it was set
        // Three nights missed (the machine was off): one run is due, at the first missed firing...
        QCOMPARE(cron.nextRun(utc("2026-01-11T03:00:05Z")), utc("2026-01-12T03:00:00Z"));
        // ...and once it fired, the next is tomorrow's, not the other missed ones.
        cron.lastFired = utc("2026-01-14T09:00:00Z");
        QCOMPARE(cron.nextRun(utc("2026-01-11T03:00:05Z")), utc("2026-01-15T03:00:00Z"));
    }

    void catalogKeepsSchedulesAndSaysWhatIsDue()
    {
        QTemporaryDir dir;
        Catalog catalog(dir.filePath(QStringLiteral("c.sqlite")));
        QVERIFY2(catalog.isOpen(), qPrintable(catalog.errorString()));
        const qint64 a = catalog.addConnection(QStringLiteral("a"), QStringLiteral("files"), {});
        const qint64 b = catalog.addConnection(QStringLiteral("b"), QStringLiteral("files"), {});
        const qint64 c = catalog.addConnection(QStringLiteral("c"), QStringLiteral("files"), {});
        QString error;
        const QDateTime t0 = QDateTime::currentDateTimeUtc();
        auto hourly = *Schedule::every(QStringLiteral("1h"), &error);
        hourly.setAt = t0;
        QVERIFY(catalog.setSchedule(a, hourly));
        auto nightly = *Schedule::fromCron(QStringLiteral("0 3 * * *"), "Europe/Paris", &error);
        nightly.setAt = t0;
        QVERIFY(catalog.setSchedule(b, nightly));
        const auto dueAt = [&](const QDateTime &now) {
            QStringList names;
            for (const ScheduledSync &s : scheduledSyncs(catalog)) {
                if (s.isDue(now))
                    names.append(s.name);
            }
            return names;
        };
        QCOMPARE(dueAt(t0), QStringList{QStringLiteral("a")}); // never ran; c has no schedule
        // a runs; an hour later it is due again, and b once its 3:00 in Paris has come.
        const qint64 run = catalog.startRun(a, QStringLiteral("full"), {});
        QVERIFY(run > 0);
        QVERIFY(catalog.markScheduleFired(a, t0));
        const QDateTime paris3 = nightly.nextRun({});
        // Half an hour on, nothing is, unless 3:00 in Paris comes within it.
        QCOMPARE(dueAt(t0.addSecs(1800)),
                 paris3 <= t0.addSecs(1800) ? QStringList{QStringLiteral("b")} : QStringList());
        QCOMPARE(paris3.toTimeZone(QTimeZone("Europe/Paris")).time(), QTime(3, 0));
        QVERIFY(dueAt(paris3).contains(QStringLiteral("b")));
        QVERIFY(!dueAt(paris3.addSecs(-60)).contains(QStringLiteral("b")));
        QVERIFY(dueAt(t0.addSecs(3700)).contains(QStringLiteral("a")));
        // Kept as set: reopened, the schedule reads the same; --off removes it; so does removing the
        // connection.
        Catalog again(dir.filePath(QStringLiteral("c.sqlite")));
        QCOMPARE(again.schedule(b).describe(), QStringLiteral("cron 0 3 * * * (Europe/Paris)"));
        QCOMPARE(again.schedule(a).describe(), QStringLiteral("every 1 h"));
        QVERIFY(again.setSchedule(a, Schedule()));
        QVERIFY(!again.schedule(a).isOn());
        QVERIFY(again.removeConnection(b));
        QVERIFY(again.schedules().isEmpty());
        Q_UNUSED(c);
    }

    // A due connection whose sync cannot even start ends like any other run, for the worker's log, and is
    // said as a failure once for that firing.
    void aScheduledRunThatCannotStartEndsSayingWhy()
    {
        EngineFixture fx;
        QVERIFY(fx.open());
        const qint64 id =
            fx.catalog->addConnection(QStringLiteral("Retired"), QStringLiteral("no-such-source"), {});
        QString error;
        auto hourly = *Schedule::every(QStringLiteral("1h"), &error);
        hourly.setAt = QDateTime::currentDateTimeUtc().addDays(-1);
        QVERIFY(fx.catalog->setSchedule(id, hourly));
        SyncScheduler scheduler(fx.engine.get(), fx.catalog.get());
        QSignalSpy finished(&scheduler, &SyncScheduler::finished);
        QSignalSpy failed(&scheduler, &SyncScheduler::failed);
        scheduler.check();
        QTRY_COMPARE(finished.count(), 1); // once the writer has claimed the firing
        QCOMPARE(finished.first().at(0).toString(), QStringLiteral("Retired"));
        const RunSummary summary = finished.first().at(1).value<RunSummary>();
        QCOMPARE(summary.status, QStringLiteral("failed"));
        QVERIFY2(summary.error.contains(QLatin1String("no-such-source")), qPrintable(summary.error));
        QCOMPARE(failed.count(), 1);
        fx.engine->writer()->flush();
        scheduler.check(); // that firing is served: not said again
        fx.engine->writer()->flush();
        QCoreApplication::processEvents(); // the claim's answer
        QCOMPARE(failed.count(), 1);
    }
};

QTEST_GUILESS_MAIN(TestSchedule)
#include "tst_schedule.moc"
