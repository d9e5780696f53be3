#include "runsoverview.h"

#include "format.h"
#include "runspanel.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QValueAxis>

RunsOverviewPage::RunsOverviewPage(Catalog *catalog, QWidget *parent)
    : QWidget(parent)
    , m_catalog(catalog)
{
    setObjectName(QStringLiteral("runsOverview"));
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    auto *title = new QLabel(tr("Runs"), this);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    title->setFont(titleFont);
    top->addWidget(title);
    top->addWidget(new QLabel(tr("of every connection, newest first."), this));
    top->addStretch(1);
    top->addWidget(new QLabel(tr("Status:"), this));
    m_status = new QComboBox(this);
    m_status->setObjectName(QStringLiteral("runsStatusFilter"));
    m_status->addItem(tr("All"), QString());
    for (const char *status : {"done", "partial", "failed", "cancelled", "interrupted", "running"})
        m_status->addItem(Format::statusLabel(QString::fromLatin1(status)), QString::fromLatin1(status));
    top->addWidget(m_status);
    layout->addLayout(top);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("runsSummary"));
    layout->addWidget(m_summary);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_chart = new QChartView(splitter);
    m_chart->setObjectName(QStringLiteral("runsChart"));
    m_chart->setRenderHint(QPainter::Antialiasing);
    m_chart->setMinimumHeight(200);
    m_runs = new QTreeWidget(splitter);
    m_runs->setObjectName(QStringLiteral("allRunsTable"));
    m_runs->setHeaderLabels({tr("Connection"), tr("Status"), tr("Started"), tr("Duration"),
                             tr("Records committed"), tr("Removed"), tr("Error")});
    m_runs->setRootIsDecorated(false);
    m_runs->setAlternatingRowColors(true);
    m_runs->setUniformRowHeights(true);
    m_runs->header()->setStretchLastSection(true);
    for (int c = ConnectionColumn; c < ErrorColumn; ++c)
        m_runs->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_log = new QPlainTextEdit(splitter);
    m_log->setObjectName(QStringLiteral("allRunsLog"));
    m_log->setReadOnly(true);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setPlaceholderText(tr("Select a run to read its log."));
    splitter->addWidget(m_chart);
    splitter->addWidget(m_runs);
    splitter->addWidget(m_log);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 2);
    splitter->setSizes({280, 300, 180});
    layout->addWidget(splitter, 1);

    connect(m_status, &QComboBox::currentIndexChanged, this, &RunsOverviewPage::refresh);
    connect(m_runs, &QTreeWidget::currentItemChanged, this, &RunsOverviewPage::showLog);
}

void RunsOverviewPage::refresh()
{
    const qint64 selected =
        m_runs->currentItem() ? m_runs->currentItem()->data(0, Qt::UserRole).toLongLong() : 0;
    m_runs->clear();
    m_log->clear();
    const QList<RunInfo> runs = m_catalog->allRuns(MaxRuns, m_status->currentData().toString());
    QHash<qint64, QString> names;
    for (const ConnectionInfo &connection : m_catalog->connections())
        names.insert(connection.id, connection.name);
    QTreeWidgetItem *toSelect = nullptr;
    qint64 records = 0;
    for (const RunInfo &run : runs) {
        auto *item = new QTreeWidgetItem(m_runs);
        item->setData(0, Qt::UserRole, run.id);
        item->setText(ConnectionColumn, names.value(run.connectionId, tr("(removed connection)")));
        item->setText(StatusColumn, Format::statusLabel(run.status));
        item->setForeground(StatusColumn, Format::statusColor(run.status));
        item->setText(StartedColumn, Format::dateTime(run.startedAt));
        item->setToolTip(StartedColumn, Format::relative(run.startedAt));
        const bool running = run.status == QLatin1String("running");
        item->setText(DurationColumn, running ? tr("running")
                                              : Format::duration(run.finishedAt.isValid()
                                                                     ? run.startedAt.msecsTo(run.finishedAt)
                                                                     : -1));
        item->setText(RecordsColumn, Format::count(run.records));
        item->setText(RemovedColumn, Format::count(run.removed));
        for (int c : {int(DurationColumn), int(RecordsColumn), int(RemovedColumn)})
            item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
        item->setText(ErrorColumn, run.error);
        item->setToolTip(ErrorColumn, run.error);
        records += run.records;
        if (run.id == selected)
            toSelect = item;
    }
    m_summary->setText(
        runs.size() == MaxRuns
            ? tr("The newest %1 runs: %2 records committed").arg(MaxRuns).arg(Format::count(records))
            : tr("%n run(s): %1 records committed", nullptr, int(runs.size())).arg(Format::count(records)));
    drawChart(runs);
    if (!toSelect && m_runs->topLevelItemCount() > 0)
        toSelect = m_runs->topLevelItem(0);
    if (toSelect)
        m_runs->setCurrentItem(toSelect);
}

void RunsOverviewPage::drawChart(const QList<RunInfo> &runs)
{
    QChart *chart = m_chart->chart();
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes())
        chart->removeAxis(axis);
    auto *records = new QLineSeries;
    records->setName(tr("Records committed"));
    records->setPointsVisible(true);
    auto *duration = new QLineSeries;
    duration->setName(tr("Duration (s)"));
    duration->setPointsVisible(true);
    double mostRecords = 1, longest = 1;
    QDateTime first, last;
    for (auto it = runs.crbegin(); it != runs.crend(); ++it) { // oldest first, as time runs
        if (!it->finishedAt.isValid())
            continue; // running: no duration yet
        const double at = double(it->startedAt.toMSecsSinceEpoch());
        const double seconds = double(it->startedAt.msecsTo(it->finishedAt)) / 1000.0;
        records->append(at, double(it->records));
        duration->append(at, seconds);
        mostRecords = qMax(mostRecords, double(it->records));
        longest = qMax(longest, seconds);
        first = first.isValid() ? first : it->startedAt;
        last = it->startedAt;
    }
    chart->addSeries(records);
    chart->addSeries(duration);
    auto *time = new QDateTimeAxis;
    const qint64 span = first.isValid() ? first.secsTo(last) : 0;
    time->setFormat(span < 3600        ? QStringLiteral("HH:mm:ss")
                    : span < 2 * 86400 ? QStringLiteral("HH:mm")
                                       : QStringLiteral("yyyy-MM-dd"));
    if (first.isValid())
        time->setRange(first.addSecs(-60), last.addSecs(60));
    chart->addAxis(time, Qt::AlignBottom);
    auto *countAxis = new QValueAxis;
    countAxis->setTitleText(tr("records"));
    countAxis->setLabelFormat(QStringLiteral("%.0f"));
    countAxis->setRange(0, mostRecords * 1.1);
    countAxis->applyNiceNumbers();
    auto *secondsAxis = new QValueAxis;
    secondsAxis->setTitleText(tr("s"));
    secondsAxis->setRange(0, longest * 1.1);
    secondsAxis->applyNiceNumbers();
    chart->addAxis(countAxis, Qt::AlignLeft);
    chart->addAxis(secondsAxis, Qt::AlignRight);
    records->attachAxis(time);
    records->attachAxis(countAxis);
    duration->attachAxis(time);
    duration->attachAxis(secondsAxis);
    chart->setTitle(tr("Records and duration per run"));
}

void RunsOverviewPage::showLog()
{
    m_log->clear();
    QTreeWidgetItem *item = m_runs->currentItem();
    if (!item)
        return;
    m_log->setPlainText(RunsPanel::logText(m_catalog->runLog(item->data(0, Qt::UserRole).toLongLong())));
}
