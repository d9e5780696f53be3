#include "guibench.h"

#include "connectorregistry.h"
#include "filterheader.h"
#include "profilepanel.h"
#include "recordsbrowser.h"
#include "recordsmodel.h"
#include "stallprobe.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

namespace {

// Serves the event loop until `done` holds (or a minute passes); the milliseconds it took, -1 on timeout.
double waitMs(const std::function<bool()> &done)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > 60000)
            return -1;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 20);
    }
    return clock.nsecsElapsed() / 1e6;
}

int columnNamed(const RecordsModel *model, const QString &name)
{
    for (int c = 0; c < model->columnCount(); ++c)
        if (model->headerData(c, Qt::Horizontal).toString() == name)
            return c;
    return -1;
}

} // namespace

QJsonObject runGuiScenario(const QString &catalogPath, const ConnectionInfo &connection,
                           const QString &entity)
{
    Catalog catalog(catalogPath);
    const std::unique_ptr<BaseConnector> connector =
        ConnectorRegistry::instance().create(connection.connectorId);
    const ConnectorMetadata metadata = connector ? connector->getMetadata() : ConnectorMetadata();
    RecordsBrowser browser(catalogPath, &catalog);
    browser.resize(1280, 800);
    browser.show();
    QTest::qWaitForWindowExposed(&browser); // the app's start is not the session's
    RecordsModel *model = browser.model();
    QTableView *table = browser.table();
    StallProbe probe;
    probe.start();

    QJsonObject result{{QStringLiteral("scenario"), QStringLiteral("gui")}};
    // Each step's time, and the longest stall seen during it (the worst of them is the session's).
    QJsonObject stalls;
    double longest = 0;
    const auto note = [&](const char *name, double ms) {
        result.insert(QLatin1String(name), ms);
        stalls.insert(QLatin1String(name).chopped(3), probe.maxStallMs());
        longest = qMax(longest, probe.maxStallMs());
        probe.reset();
    };
    const auto keysRead = [model] { return !model->isLoading() && model->totalCount() >= 0; };

    // Open: the entity's rows counted and the first shown.
    browser.setConnection(connection, &metadata);
    browser.setEntity(entity);
    note("open_ms", waitMs([&] { return keysRead() && model->isRowLoaded(0); }));
    const qint64 total = model->totalCount();
    result.insert(QStringLiteral("records"), total);

    // Scroll to the end: Ctrl+End, then the last row's values on screen.
    table->setFocus();
    table->setCurrentIndex(model->index(0, 0));
    QTest::keyClick(table, Qt::Key_End, Qt::ControlModifier);
    note("scroll_end_ms", waitMs([&] { return model->isRowLoaded(int(total) - 1); }));

    // Sort by a number column, as a header click does, until the top rows of the new order show.
    const int balance = columnNamed(model, QStringLiteral("balance"));
    table->scrollToTop();
    table->sortByColumn(balance > 0 ? balance : 0, Qt::DescendingOrder);
    note("sort_ms", waitMs([&] { return keysRead() && model->isRowLoaded(0); }));
    table->sortByColumn(balance > 0 ? balance : 0, Qt::AscendingOrder); // the header clicked again
    note("sort_reversed_ms", waitMs([&] { return keysRead() && model->isRowLoaded(0); }));

    // A text filter across fields (some 1 in 100 e-mail addresses), from the query's start (after the
    // typing pause) to its final count.
    const QString needle = QStringLiteral("42@example.com");
    browser.filterEdit()->setText(needle);
    waitMs([&] { return model->query().text == needle; });
    note("filter_ms", waitMs(keysRead));
    result.insert(QStringLiteral("filter_matches"), model->totalCount());
    browser.filterEdit()->clear();
    waitMs([&] { return model->query().text.isEmpty() && keysRead(); });

    // Profile the number column over every record.
    bool profiled = false;
    QObject::connect(browser.profilePanel(), &ProfilePanel::finished, &browser,
                     [&profiled](bool) { profiled = true; });
    browser.profileColumn(balance > 0 ? balance : 1);
    note("profile_ms", waitMs([&] { return profiled; }));

    // Export the view to CSV.
    QTemporaryDir dir;
    bool exported = false;
    QObject::connect(&browser, &RecordsBrowser::exportFinished, &browser,
                     [&exported](bool, qint64, const QString &) { exported = true; });
    browser.exportTo(dir.filePath(QStringLiteral("records.csv")));
    note("export_ms", waitMs([&] { return exported; }));

    probe.stop();
    result.insert(QStringLiteral("longest_stall_ms"), longest);
    result.insert(QStringLiteral("stall_ms_by_step"), stalls);
    return result;
}
