#include "runspanel.h"

#include <QJsonObject>

#include "format.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

RunsPanel::RunsPanel(Catalog *catalog, QWidget *parent)
    : QWidget(parent)
    , m_catalog(catalog)
{
    setObjectName(QStringLiteral("runsPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 6, 0, 0);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_runs = new QTreeWidget(splitter);
    m_runs->setObjectName(QStringLiteral("runsTable"));
    m_runs->setHeaderLabels({tr("Status"), tr("Started"), tr("Duration"), tr("Mode"), tr("Records"),
                             tr("Per entity"), tr("Error")});
    m_runs->setRootIsDecorated(false);
    m_runs->setAlternatingRowColors(true);
    m_runs->setUniformRowHeights(true);
    m_runs->header()->setStretchLastSection(true);
    m_runs->setColumnWidth(StatusColumn, 110);
    m_runs->setColumnWidth(StartedColumn, 160);
    m_runs->setColumnWidth(DurationColumn, 90);
    m_runs->setColumnWidth(ModeColumn, 90);
    m_runs->setColumnWidth(RecordsColumn, 90);
    m_runs->setColumnWidth(EntitiesColumn, 280);

    auto *logBox = new QWidget(splitter);
    auto *logLayout = new QVBoxLayout(logBox);
    logLayout->setContentsMargins(0, 4, 0, 0);
    auto *title = new QLabel(tr("Log of the selected run"), logBox);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    logLayout->addWidget(title);
    m_log = new QPlainTextEdit(logBox);
    m_log->setObjectName(QStringLiteral("runLog"));
    m_log->setReadOnly(true);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setPlaceholderText(tr("Select a run to read its log."));
    logLayout->addWidget(m_log);
    splitter->addWidget(m_runs);
    splitter->addWidget(logBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter);

    connect(m_runs, &QTreeWidget::currentItemChanged, this, &RunsPanel::showLog);
}

void RunsPanel::setConnection(qint64 connectionId)
{
    m_connectionId = connectionId;
    refresh();
}

void RunsPanel::refresh()
{
    const qint64 selected =
        m_runs->currentItem() ? m_runs->currentItem()->data(0, Qt::UserRole).toLongLong() : 0;
    m_runs->clear();
    m_log->clear();
    if (!m_catalog || m_connectionId <= 0)
        return;
    const QList<RunInfo> runs = m_catalog->runs(m_connectionId, 200);
    QTreeWidgetItem *toSelect = nullptr;
    for (const RunInfo &run : runs) {
        auto *item = new QTreeWidgetItem(m_runs);
        item->setData(0, Qt::UserRole, run.id);
        item->setText(StatusColumn, Format::statusLabel(run.status));
        item->setForeground(StatusColumn, Format::statusColor(run.status));
        item->setText(StartedColumn, Format::dateTime(run.startedAt));
        item->setToolTip(StartedColumn, Format::relative(run.startedAt));
        const qint64 duration = run.finishedAt.isValid() ? run.startedAt.msecsTo(run.finishedAt) : -1;
        item->setText(DurationColumn,
                      run.status == QLatin1String("running") ? tr("running") : Format::duration(duration));
        item->setText(ModeColumn, run.mode == QLatin1String("incremental") ? tr("Incremental")
                                  : run.mode == QLatin1String("mixed")     ? tr("Per entity")
                                                                           : tr("Full refresh"));
        item->setText(RecordsColumn, Format::count(run.records));
        item->setTextAlignment(RecordsColumn, Qt::AlignRight | Qt::AlignVCenter);
        // Per entity: what this run committed (live while it runs) and how it ended.
        QStringList perEntity;
        for (const QString &entity : run.entities) {
            const QJsonObject result = run.entityResults.value(entity).toObject();
            const QString state = result.value(QStringLiteral("state")).toString();
            QString text = QStringLiteral("%1 %2").arg(
                entity, run.entityCounts.contains(entity)
                            ? Format::count(run.entityCounts.value(entity).toInteger())
                            : QStringLiteral("—"));
            if (state == QLatin1String("skipped"))
                text += tr(" (done in the run this one continued)");
            else if (!state.isEmpty() && state != QLatin1String("done"))
                text += QStringLiteral(" (%1)").arg(state);
            perEntity << text;
        }
        item->setText(EntitiesColumn, perEntity.join(QStringLiteral(", ")));
        item->setToolTip(EntitiesColumn, perEntity.join(QLatin1Char('\n')));
        item->setText(ErrorColumn, run.error);
        item->setToolTip(ErrorColumn, run.error);
        if (!run.error.isEmpty())
            item->setForeground(ErrorColumn, Format::statusColor(QStringLiteral("failed")));
        if (run.id == selected)
            toSelect = item;
    }
    if (!toSelect && m_runs->topLevelItemCount() > 0)
        toSelect = m_runs->topLevelItem(0);
    if (toSelect)
        m_runs->setCurrentItem(toSelect);
}

void RunsPanel::showLog()
{
    m_log->clear();
    QTreeWidgetItem *item = m_runs->currentItem();
    if (!item || !m_catalog)
        return;
    m_log->setPlainText(logText(m_catalog->runLog(item->data(0, Qt::UserRole).toLongLong())));
}

QString RunsPanel::logText(const QList<RunLogEntry> &entries)
{
    QStringList lines;
    lines.reserve(entries.size());
    for (const RunLogEntry &entry : entries)
        lines << QStringLiteral("%1  %2  %3  %4")
                     .arg(entry.at.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz")),
                          entry.level.toUpper().leftJustified(5),
                          entry.entity.isEmpty() ? QStringLiteral("-") : entry.entity, entry.message);
    return lines.isEmpty() ? tr("(no log lines)") : lines.join(QLatin1Char('\n'));
}
