#include "profilepanel.h"

#include "busyindicator.h"
#include "format.h"
#include "readonlydb.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QMutex>
#include <QPushButton>
#include <QThread>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <atomic>

struct ProfilePanel::Job
{
    QMutex mutex; // guards canceller: set and cleared on the job's thread, used from the GUI thread
    QueryCanceller *canceller = nullptr;
    std::atomic<bool> cancelled{false};
};

namespace {

QString cacheKey(const RecordsQuery &query, int column, const QString &syncKey)
{
    QVariantList binds;
    QStringList parts{syncKey, QString::number(query.connectionId), query.entity, query.columnName(column),
                      query.where(&binds)};
    for (const QVariant &value : std::as_const(binds))
        parts << value.toString();
    return parts.join(QChar(0x1f));
}

QString valueText(const QVariant &value)
{
    if (value.typeId() == QMetaType::LongLong)
        return QLocale().toString(value.toLongLong());
    if (value.typeId() == QMetaType::Double)
        return QLocale().toString(value.toDouble(), 'g', 12);
    return RecordsQuery::toText(value);
}

} // namespace

ProfilePanel::ProfilePanel(const QString &catalogPath, QWidget *parent)
    : QWidget(parent)
    , m_catalogPath(catalogPath)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title = new QLabel(tr("Choose a column: right-click its header, then Profile"), this);
    m_title->setObjectName(QStringLiteral("profileTitle"));
    m_title->setWordWrap(true);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    layout->addWidget(m_title);
    auto *statusRow = new QHBoxLayout;
    m_busy = new BusyIndicator(this);
    m_busy->hide();
    statusRow->addWidget(m_busy);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("profileStatus"));
    m_status->setWordWrap(true);
    statusRow->addWidget(m_status, 1);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("profileCancel"));
    m_cancel->hide();
    connect(m_cancel, &QPushButton::clicked, this, &ProfilePanel::cancel);
    statusRow->addWidget(m_cancel);
    layout->addLayout(statusRow);
    m_stats = new QLabel(this);
    m_stats->setObjectName(QStringLiteral("profileStats"));
    m_stats->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_stats);
    m_top = new QTreeWidget(this);
    m_top->setObjectName(QStringLiteral("profileTopValues"));
    m_top->setHeaderLabels({tr("Top values"), tr("Count"), tr("Share")});
    m_top->setRootIsDecorated(false);
    m_top->setUniformRowHeights(true);
    m_top->header()->setStretchLastSection(false);
    m_top->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_top->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_top->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    layout->addWidget(m_top, 1);
    m_chart = new QChartView(this);
    m_chart->setObjectName(QStringLiteral("profileHistogram"));
    m_chart->setRenderHint(QPainter::Antialiasing);
    m_chart->setMinimumHeight(180);
    m_chart->chart()->legend()->hide();
    m_chart->chart()->setMargins(QMargins(2, 2, 2, 2));
    layout->addWidget(m_chart, 2);
}

ProfilePanel::~ProfilePanel()
{
    cancel();
    reapThread();
}

void ProfilePanel::reapThread()
{
    if (!m_thread)
        return;
    m_thread->wait(); // the job has answered, or was cancelled and stops at its next step
    delete m_thread;
    m_thread = nullptr;
}

QString ProfilePanel::statusText() const
{
    return m_status->text();
}

void ProfilePanel::profile(const RecordsQuery &query, int column, const QString &syncKey)
{
    if (column < 0 || column >= query.columnCount())
        return;
    cancel();
    const QString key = cacheKey(query, column, syncKey);
    m_title->setText(
        tr("%1 · %2").arg(query.columnName(column), fieldTypeName(query.columnType(column)).isEmpty()
                                                        ? tr("untyped")
                                                        : fieldTypeName(query.columnType(column))));
    if (!syncKey.isEmpty() && m_cache.contains(key)) {
        show(m_cache.value(key));
        m_status->setText(tr("Over every record of the view, as of the last sync"));
        emit finished(true);
        return;
    }
    reapThread();          // a cancelled job's answer is dropped
    show(ColumnProfile()); // nothing of the previous column may pass for this one's
    auto job = std::make_shared<Job>();
    m_job = job;
    m_busy->show();
    m_busy->start();
    m_cancel->show();
    m_status->setText(tr("Counting…"));
    const QString location = m_catalogPath;
    const QString storeKey = syncKey.isEmpty() ? QString() : key;
    m_thread = QThread::create([this, job, location, query, column, storeKey] {
        const QString name = ReadOnlyDb::uniqueName(QStringLiteral("mc-profile"));
        ColumnProfile result;
        QString error;
        {
            const QSqlDatabase db = ReadOnlyDb::open(location, name, &error);
            std::unique_ptr<QueryCanceller> canceller = ReadOnlyDb::canceller(db);
            {
                QMutexLocker lock(&job->mutex);
                job->canceller = canceller.get();
            }
            if (db.isOpen() && !job->cancelled)
                ColumnProfiler::profile(
                    db, query, column, &result, &error, [this, job](ColumnProfiler::Step s) {
                        QMetaObject::invokeMethod(
                            this, [this, job, s] { onStep(job, s); }, Qt::QueuedConnection);
                        return !job->cancelled;
                    });
            QMutexLocker lock(&job->mutex);
            job->canceller = nullptr;
        }
        ReadOnlyDb::close(name);
        QMetaObject::invokeMethod(
            this, [this, job, result, error, storeKey] { onDone(job, result, error, storeKey); },
            Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("column-profile"));
    m_thread->start();
}

void ProfilePanel::cancel()
{
    if (!m_job)
        return;
    m_job->cancelled = true;
    {
        QMutexLocker lock(&m_job->mutex);
        ReadOnlyDb::interrupt(m_job->canceller);
    }
    m_job.reset();
    endJob();
    m_status->setText(tr("Cancelled"));
}

void ProfilePanel::endJob()
{
    m_busy->stop();
    m_busy->hide();
    m_cancel->hide();
}

void ProfilePanel::onStep(const std::shared_ptr<Job> &job, ColumnProfiler::Step step)
{
    if (job != m_job)
        return; // a cancelled job's
    switch (step) {
    case ColumnProfiler::Step::Counts:
        m_status->setText(tr("Counting… (step 1 of 3)"));
        break;
    case ColumnProfiler::Step::TopValues:
        m_status->setText(tr("Finding the top values… (step 2 of 3)"));
        break;
    case ColumnProfiler::Step::Histogram:
        m_status->setText(tr("Binning for the histogram… (step 3 of 3)"));
        break;
    }
}

void ProfilePanel::onDone(const std::shared_ptr<Job> &job, const ColumnProfile &profile, const QString &error,
                          const QString &cacheKey)
{
    if (job != m_job)
        return; // cancelled, or replaced by a newer request
    m_job.reset();
    endJob();
    reapThread();
    if (!error.isEmpty()) {
        m_status->setText(tr("Could not profile this column: %1").arg(error));
        emit finished(false);
        return;
    }
    if (!cacheKey.isEmpty())
        m_cache.insert(cacheKey, profile);
    show(profile);
    m_status->setText(tr("Over every record of the view"));
    emit finished(true);
}

void ProfilePanel::show(const ColumnProfile &profile)
{
    m_shown = profile;
    if (profile.name.isEmpty()) { // cleared
        m_stats->clear();
        m_top->clear();
        drawHistogram(profile);
        return;
    }
    const QLocale locale;
    QStringList lines{
        tr("Rows: %1").arg(Format::count(profile.rows)),
        tr("Null or missing: %1 (%2%)")
            .arg(Format::count(profile.nulls), locale.toString(100.0 * profile.nullShare(), 'f', 1)),
        tr("Distinct values: %1").arg(Format::count(profile.distinct))};
    if (profile.min.isValid() && !profile.min.isNull())
        lines << tr("Min: %1").arg(valueText(profile.min)) << tr("Max: %1").arg(valueText(profile.max));
    m_stats->setText(lines.join(QLatin1Char('\n')));
    m_top->clear();
    for (const auto &[value, count] : profile.top) {
        auto *item = new QTreeWidgetItem(m_top);
        item->setText(0, valueText(value));
        item->setText(1, Format::count(count));
        item->setText(2, profile.rows
                             ? locale.toString(100.0 * double(count) / double(profile.rows), 'f', 1) +
                                   QLatin1Char('%')
                             : QString());
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
    }
    drawHistogram(profile);
}

void ProfilePanel::drawHistogram(const ColumnProfile &profile)
{
    QChart *chart = m_chart->chart();
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes())
        chart->removeAxis(axis);
    m_chart->setVisible(!profile.histogram.isEmpty());
    if (profile.histogram.isEmpty())
        return;
    // A step outline over a continuous axis: each bin as wide as the span it counts, so the axis keeps
    // readable ticks however many bins there are.
    auto *upper = new QLineSeries;
    qint64 highest = 0;
    for (const HistogramBin &bin : profile.histogram) {
        upper->append(bin.from, double(bin.count));
        upper->append(bin.to, double(bin.count));
        highest = qMax(highest, bin.count);
    }
    auto *lower = new QLineSeries;
    lower->append(profile.histogram.first().from, 0);
    lower->append(profile.histogram.last().to, 0);
    auto *series = new QAreaSeries(upper, lower);
    series->setName(profile.name);
    series->setColor(QColor(QStringLiteral("#3b82f6")));
    series->setBorderColor(QColor(QStringLiteral("#1d4ed8")));
    chart->addSeries(series);
    const bool dates = profile.unit != HistogramUnit::Number;
    const QDateTime first = QDateTime::fromMSecsSinceEpoch(qint64(profile.histogram.first().from), Qt::UTC);
    const QDateTime last = QDateTime::fromMSecsSinceEpoch(qint64(profile.histogram.last().to), Qt::UTC);
    const bool oneYear = dates && first.date().year() == last.addMSecs(-1).date().year();
    QAbstractAxis *x = nullptr;
    if (dates) {
        auto *time = new QDateTimeAxis;
        time->setFormat(profile.unit == HistogramUnit::Year    ? QStringLiteral("yyyy")
                        : profile.unit == HistogramUnit::Month ? QStringLiteral("yyyy-MM")
                        : oneYear                              ? QStringLiteral("MM-dd")
                                                               : QStringLiteral("yyyy-MM-dd"));
        time->setRange(first, last);
        time->setTickCount(5);
        x = time;
    } else {
        auto *numbers = new QValueAxis;
        numbers->setRange(profile.histogram.first().from, profile.histogram.last().to);
        numbers->setTickCount(5);
        numbers->setLabelFormat(profile.type == FieldType::Integer ? QStringLiteral("%.0f")
                                                                   : QStringLiteral("%g"));
        x = numbers;
    }
    chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(x);
    auto *y = new QValueAxis;
    y->setRange(0, double(qMax<qint64>(highest, 1)));
    y->applyNiceNumbers();
    y->setLabelFormat(QStringLiteral("%.0f"));
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(y);
    const QString year = QString::number(first.date().year());
    const QString unit = profile.unit == HistogramUnit::Day     ? tr("records per day")
                         : profile.unit == HistogramUnit::Week  ? tr("records per week (from Monday)")
                         : profile.unit == HistogramUnit::Month ? tr("records per month")
                         : profile.unit == HistogramUnit::Year  ? tr("records per year")
                                                                : tr("records per range of values");
    chart->setTitle(oneYear ? tr("%1, %2").arg(unit, year) : unit);
}
