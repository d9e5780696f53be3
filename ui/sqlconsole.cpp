#include "sqlconsole.h"

#include "busyindicator.h"
#include "format.h"
#include "quickchart.h"
#include "readonlydb.h"
#include "recordsbrowser.h"
#include "svgicon.h"

#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QStandardPaths>
#include <QTableView>
#include <QToolButton>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

// ---- worker (console thread) ----

SqlWorker::SqlWorker(QString catalogPath)
    : m_path(std::move(catalogPath))
    , m_connectionName(ReadOnlyDb::uniqueName(QStringLiteral("mc-sql-console")))
{
}

SqlWorker::~SqlWorker()
{
    canceller = nullptr;
    endQuery();
    m_canceller.reset();
    if (m_open)
        ReadOnlyDb::close(m_connectionName);
}

bool SqlWorker::ensureOpen(QString *error)
{
    if (m_open)
        return true;
    QSqlDatabase db = ReadOnlyDb::open(m_path, m_connectionName, error);
    m_open = db.isOpen();
    m_canceller = ReadOnlyDb::canceller(db);
    canceller = m_canceller.get();
    return m_open;
}

void SqlWorker::endQuery()
{
    if (!m_query)
        return;
    // A PostgreSQL session streams the rest of an unread result before the next statement: stop it first.
    ReadOnlyDb::interrupt(m_canceller.get());
    m_query.reset();
    ReadOnlyDb::finishStatement(QSqlDatabase::database(m_connectionName, false));
}

void SqlWorker::run(int id, const QString &sql, int maxRows)
{
    SqlResult result;
    QElapsedTimer clock;
    clock.start();
    if (ensureOpen(&result.error)) {
        endQuery(); // a new query ends the last one's read
        const QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        QSqlQuery query(db);
        if (ReadOnlyDb::execStatement(db, query, sql, &result.error) == ReadOnlyDb::Outcome::Ran) {
            const QSqlRecord record = query.record();
            for (int c = 0; c < record.count(); ++c)
                result.columns << record.fieldName(c);
            m_query = std::make_unique<QSqlQuery>(std::move(query));
            m_openId = id;
            fetch(&result, maxRows);
        }
    }
    result.elapsedMs = clock.elapsed();
    emit finished(id, result);
}

void SqlWorker::fetch(SqlResult *result, int maxRows)
{
    const int columns = int(result->columns.size());
    int fetched = 0;
    while (m_query->next()) {
        QVariantList row;
        row.reserve(columns);
        for (int c = 0; c < columns; ++c)
            row << ReadOnlyDb::value(*m_query, c);
        result->rows.append(row);
        if (++fetched >= maxRows)
            break;
    }
    // Stopped at the limit: more may follow (the next call says); else the query is done.
    result->truncated = fetched >= maxRows;
    if (m_query->lastError().isValid() && result->rows.isEmpty())
        result->error = m_query->lastError().text();
    if (!result->truncated) {
        m_query->finish();
        m_query.reset();
        ReadOnlyDb::finishStatement(QSqlDatabase::database(m_connectionName, false));
    }
}

void SqlWorker::more(int id, int maxRows)
{
    SqlResult result;
    QElapsedTimer clock;
    clock.start();
    if (!m_query || id != m_openId) {
        result.error = tr("That query is no longer open: run it again.");
    } else {
        for (int c = 0; c < m_query->record().count(); ++c)
            result.columns << m_query->record().fieldName(c);
        fetch(&result, maxRows);
    }
    result.elapsedMs = clock.elapsed();
    emit moreFetched(id, result);
}

void SqlWorker::listObjects()
{
    QString error;
    QStringList tables, views;
    if (ensureOpen(&error)) {
        const QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        QSqlQuery query(db);
        if (query.exec(CatalogDialect::of(db).objectsSql())) {
            while (query.next())
                (query.value(0).toString() == QLatin1String("view") ? views : tables)
                    << query.value(1).toString();
        }
    }
    emit objectsListed(tables, views);
}

// ---- result model ----

void SqlResultModel::setResult(const SqlResult &result)
{
    beginResetModel();
    m_result = result;
    endResetModel();
}

void SqlResultModel::appendRows(const SqlResult &more)
{
    m_result.truncated = more.truncated;
    if (more.rows.isEmpty())
        return;
    beginInsertRows({}, int(m_result.rows.size()), int(m_result.rows.size() + more.rows.size() - 1));
    m_result.rows += more.rows;
    endInsertRows();
}

int SqlResultModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_result.rows.size());
}

int SqlResultModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_result.columns.size());
}

QVariant SqlResultModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const QVariant value = m_result.rows.at(index.row()).value(index.column());
    if (role == Qt::DisplayRole) {
        if (value.isNull())
            return QStringLiteral("NULL");
        const QString text = value.toString();
        return text.size() > 500 ? text.left(500) + QStringLiteral("…") : text;
    }
    if (role == Qt::ToolTipRole && value.toString().size() > 60)
        return value.toString().left(4000);
    if (role == Qt::ForegroundRole && value.isNull())
        return QColor(Qt::gray);
    if (role == Qt::TextAlignmentRole) {
        const int type = value.typeId();
        if (type == QMetaType::LongLong || type == QMetaType::Int || type == QMetaType::Double)
            return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant SqlResultModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section + 1;
    return m_result.columns.value(section);
}

// ---- page (GUI thread) ----

SqlConsolePage::SqlConsolePage(const QString &catalogPath, QWidget *parent)
    : QWidget(parent)
    , m_worker(new SqlWorker(catalogPath))
    , m_catalogPath(catalogPath)
{
    setObjectName(QStringLiteral("sqlConsolePage"));
    m_worker->moveToThread(&m_thread);
    m_thread.setObjectName(QStringLiteral("sql-console"));
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &SqlWorker::finished, this, &SqlConsolePage::onFinished);
    connect(m_worker, &SqlWorker::moreFetched, this, &SqlConsolePage::onMore);
    m_thread.start();

    auto *layout = new QVBoxLayout(this);
    auto *title = new QLabel(tr("SQL console"), this);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    title->setFont(titleFont);
    auto *top = new QHBoxLayout;
    top->addWidget(title);
    auto *hint =
        new QLabel(tr("Read-only queries over the catalog. Each connection's entities are also views, "
                      "with top-level fields as columns."),
                   this);
    hint->setWordWrap(true);
    top->addWidget(hint, 1);
    layout->addLayout(top);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    m_objects = new QTreeWidget(splitter);
    m_objects->setObjectName(QStringLiteral("sqlObjects"));
    m_objects->setHeaderLabel(tr("Tables and views"));
    m_objects->setToolTip(
        tr("Double-click to query. Each connection and entity has a view with its top-level "
           "fields as columns."));
    m_objects->setMinimumWidth(200);

    auto *right = new QSplitter(Qt::Vertical, splitter);
    auto *editorBox = new QWidget(right);
    auto *editorLayout = new QVBoxLayout(editorBox);
    editorLayout->setContentsMargins(0, 0, 0, 0);
    m_editor = new QPlainTextEdit(editorBox);
    m_editor->setObjectName(QStringLiteral("sqlEditor"));
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setPlaceholderText(QStringLiteral("SELECT entity, count(*) FROM records GROUP BY entity"));
    m_editor->setPlainText(QSettings().value(QStringLiteral("sql/lastQuery")).toString());
    editorLayout->addWidget(m_editor);
    auto *buttons = new QHBoxLayout;
    m_runButton = new QPushButton(Icons::ui(QStringLiteral("run-query")), tr("Run"), editorBox);
    m_runButton->setObjectName(QStringLiteral("sqlRunButton"));
    m_runButton->setToolTip(tr("Run the query (Ctrl+Enter)"));
    m_stopButton = new QPushButton(Icons::ui(QStringLiteral("cancel")), tr("Stop"), editorBox);
    m_stopButton->setObjectName(QStringLiteral("sqlStopButton"));
    m_stopButton->setEnabled(false);
    m_busy = new BusyIndicator(editorBox);
    m_status = new QLabel(editorBox);
    m_status->setObjectName(QStringLiteral("sqlStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_moreButton = new QPushButton(tr("Fetch %1 more").arg(Format::count(MaxRows)), editorBox);
    m_moreButton->setObjectName(QStringLiteral("sqlMoreButton"));
    m_moreButton->setToolTip(tr("Fetch the next rows of this result into the table"));
    m_moreButton->hide();
    m_exportButton = new QToolButton(editorBox);
    m_exportButton->setObjectName(QStringLiteral("sqlExportButton"));
    m_exportButton->setText(tr("Export…"));
    m_exportButton->setIcon(Icons::ui(QStringLiteral("export")));
    m_exportButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_exportButton->setToolTip(
        tr("Export the whole result (not only the rows shown), or copy the rows shown"));
    m_exportButton->setPopupMode(QToolButton::InstantPopup);
    m_exportButton->setEnabled(false);
    auto *exportMenu = new QMenu(m_exportButton);
    exportMenu->addAction(tr("CSV…"), this, [this] { chooseExport(ExportFormat::Csv); });
    exportMenu->addAction(tr("Excel workbook (XLSX)…"), this, [this] { chooseExport(ExportFormat::Xlsx); });
    exportMenu->addAction(tr("Copy rows shown (tab-separated, with headers)"), this,
                          [this] { QApplication::clipboard()->setText(resultTsv()); });
    m_exportButton->setMenu(exportMenu);
    buttons->addWidget(m_runButton);
    buttons->addWidget(m_stopButton);
    buttons->addWidget(m_busy);
    buttons->addWidget(m_status, 1);
    m_chartButton = new QPushButton(tr("Chart"), editorBox);
    m_chartButton->setObjectName(QStringLiteral("sqlChartButton"));
    m_chartButton->setCheckable(true);
    m_chartButton->setToolTip(tr("A bar or line chart of the result: labels from the first column, numbers "
                                 "from the second"));
    connect(m_chartButton, &QPushButton::toggled, this, &SqlConsolePage::showChart);
    buttons->addWidget(m_moreButton);
    buttons->addWidget(m_chartButton);
    buttons->addWidget(m_exportButton);
    editorLayout->addLayout(buttons);

    m_model = new SqlResultModel(this);
    m_table = new QTableView(right);
    m_table->setObjectName(QStringLiteral("sqlResults"));
    m_table->setModel(m_model);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setDefaultSectionSize(140);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_chart = new QuickChart(right);
    m_chart->hide();
    right->addWidget(editorBox);
    right->addWidget(m_table);
    right->addWidget(m_chart);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 3);
    splitter->addWidget(m_objects);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 4);
    layout->addWidget(splitter, 1);

    connect(m_runButton, &QPushButton::clicked, this, qOverload<>(&SqlConsolePage::runQuery));
    connect(m_stopButton, &QPushButton::clicked, this, &SqlConsolePage::stopQuery);
    connect(m_moreButton, &QPushButton::clicked, this, &SqlConsolePage::fetchMore);
    connect(m_status, &QLabel::linkActivated, this,
            [](const QString &link) { QDesktopServices::openUrl(QUrl(link)); });
    for (const QKeySequence &key :
         {QKeySequence(QStringLiteral("Ctrl+Return")), QKeySequence(QStringLiteral("Ctrl+Enter"))}) {
        auto *shortcut = new QShortcut(key, m_editor);
        shortcut->setContext(Qt::WidgetShortcut);
        connect(shortcut, &QShortcut::activated, this, qOverload<>(&SqlConsolePage::runQuery));
    }
    connect(m_worker, &SqlWorker::objectsListed, this,
            [this](const QStringList &tables, const QStringList &views) {
                m_objects->clear();
                auto *tableRoot = new QTreeWidgetItem(m_objects, {tr("Tables")});
                for (const QString &table : tables)
                    new QTreeWidgetItem(tableRoot, {table});
                auto *viewRoot = new QTreeWidgetItem(m_objects, {tr("Views")});
                for (const QString &view : views)
                    new QTreeWidgetItem(viewRoot, {view});
                tableRoot->setExpanded(true);
                viewRoot->setExpanded(true);
            });
    connect(m_objects, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem *item) {
        if (!item->parent())
            return;
        const QString sql = QStringLiteral("SELECT * FROM \"%1\" LIMIT 100").arg(item->text(0));
        m_editor->setPlainText(sql);
        runQuery(sql);
    });
    m_status->setText(tr("Write a query and press Ctrl+Enter."));
    refreshObjects();
}

SqlConsolePage::~SqlConsolePage()
{
    ReadOnlyDb::interrupt(m_worker->canceller);
    m_thread.quit();
    m_thread.wait();
}

QString SqlConsolePage::statusText() const
{
    return m_status->text();
}

void SqlConsolePage::refreshObjects()
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->listObjects(); });
}

void SqlConsolePage::runQuery()
{
    runQuery(m_editor->toPlainText());
}

void SqlConsolePage::runQuery(const QString &sql)
{
    if (sql.trimmed().isEmpty())
        return;
    if (m_running)
        stopQuery();
    QSettings().setValue(QStringLiteral("sql/lastQuery"), sql);
    m_lastSql = sql;
    m_moreButton->hide();
    m_exportButton->setEnabled(false);
    const int id = ++m_queryId;
    m_running = true;
    m_runButton->setEnabled(false);
    m_stopButton->setEnabled(true);
    m_busy->start();
    m_status->setStyleSheet(QString());
    m_status->setText(tr("Running…"));
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, id, sql] { worker->run(id, sql, MaxRows); });
}

void SqlConsolePage::stopQuery()
{
    ReadOnlyDb::interrupt(m_worker->canceller); // thread-safe: the worker's statement ends with "interrupted"
}

void SqlConsolePage::onFinished(int id, const SqlResult &result)
{
    if (id != m_queryId)
        return;
    m_running = false;
    m_runButton->setEnabled(true);
    m_stopButton->setEnabled(false);
    m_busy->stop();
    if (!result.error.isEmpty()) {
        m_status->setStyleSheet(QStringLiteral("color: #c62828;"));
        QString error = result.error;
        if (error.contains(QLatin1String("readonly"), Qt::CaseInsensitive) ||
            error.contains(QLatin1String("query_only"), Qt::CaseInsensitive))
            error = tr("The SQL console is read-only: %1").arg(error);
        m_status->setText(error);
        m_model->setResult(SqlResult()); // the previous query's rows must not pass for this one's
        replot();
        emit queryFinished(false);
        return;
    }
    m_model->setResult(result);
    m_exportButton->setEnabled(m_exporter.isNull());
    showRowStatus(result);
    replot();
    emit queryFinished(true);
}

void SqlConsolePage::showChart(bool shown)
{
    m_chartButton->setChecked(shown);
    m_chart->setVisible(shown);
    replot();
}

void SqlConsolePage::replot()
{
    if (m_chart->isVisible())
        m_chart->plot(m_model->result().columns, m_model->result().rows, m_model->result().truncated);
}

void SqlConsolePage::showRowStatus(const SqlResult &result)
{
    const SqlResult &shown = m_model->result();
    m_status->setStyleSheet(QString());
    m_status->setText(shown.truncated
                          ? tr("First %1 rows shown (%2)")
                                .arg(Format::count(shown.rows.size()), Format::duration(result.elapsedMs))
                          : tr("%1 in %2")
                                .arg(Format::plural(shown.rows.size(), tr("row"), tr("rows")),
                                     Format::duration(result.elapsedMs)));
    m_moreButton->setVisible(shown.truncated);
}

void SqlConsolePage::fetchMore()
{
    if (m_running || !m_model->result().truncated)
        return;
    m_running = true;
    m_moreButton->setEnabled(false);
    m_stopButton->setEnabled(true);
    m_busy->start();
    const int id = m_queryId;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, id] { worker->more(id, MaxRows); });
}

void SqlConsolePage::onMore(int id, const SqlResult &result)
{
    if (id != m_queryId)
        return;
    m_running = false;
    m_moreButton->setEnabled(true);
    m_stopButton->setEnabled(false);
    m_busy->stop();
    if (!result.error.isEmpty()) {
        m_status->setStyleSheet(QStringLiteral("color: #c62828;"));
        m_status->setText(result.error);
        m_moreButton->hide();
        return;
    }
    m_model->appendRows(result);
    showRowStatus(result);
    replot();
    emit queryFinished(true);
}

QString SqlConsolePage::resultTsv() const
{
    // Tabs and line breaks inside a value would split cells: they become spaces.
    const auto cell = [](const QVariant &value) {
        QString text = value.isNull() ? QString() : value.toString();
        text.replace(QLatin1Char('\t'), QLatin1Char(' ')).replace(QLatin1Char('\n'), QLatin1Char(' '));
        return text.remove(QLatin1Char('\r'));
    };
    const SqlResult &result = m_model->result();
    QStringList lines{result.columns.join(QLatin1Char('\t'))};
    for (const QVariantList &row : result.rows) {
        QStringList cells;
        for (const QVariant &value : row)
            cells << cell(value);
        lines << cells.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

void SqlConsolePage::chooseExport(ExportFormat format)
{
    ExportOptions options;
    options.format = format;
    if (format == ExportFormat::Csv && !RecordsBrowser::askCsvOptions(this, &options))
        return;
    const QString dir = QSettings()
                            .value(QStringLiteral("records/exportDir"),
                                   QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                            .toString();
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export query result"), dir + QStringLiteral("/query.") + ExportOptions::suffix(format),
        format == ExportFormat::Csv ? tr("CSV (*.csv)") : tr("Excel workbook (*.xlsx)"));
    if (!path.isEmpty())
        exportTo(path, options);
}

bool SqlConsolePage::exportTo(const QString &path, const ExportOptions &options)
{
    if (m_exporter || m_lastSql.trimmed().isEmpty())
        return false;
    QSettings().setValue(QStringLiteral("records/exportDir"), QFileInfo(path).absolutePath());
    m_exporter = new RecordExporter(m_catalogPath, m_lastSql, path, options, this);
    m_exportButton->setEnabled(false);
    m_status->setStyleSheet(QString());
    m_status->setText(tr("Exporting to %1…").arg(QFileInfo(path).fileName()));
    connect(m_exporter.data(), &RecordExporter::progress, this, [this](qint64 written, qint64 total) {
        if (total > 0)
            m_status->setText(
                tr("Exported %1 of %2 rows…").arg(Format::count(written), Format::count(total)));
    });
    connect(
        m_exporter.data(), &RecordExporter::finished, this,
        [this, path](bool ok, qint64 rows, const QString &error) {
            m_exporter->deleteLater();
            m_exporter.clear();
            m_exportButton->setEnabled(true);
            m_status->setStyleSheet(ok ? QString() : QStringLiteral("color: #c62828;"));
            m_status->setText(
                ok ? tr("Exported %1 to %2 · <a href=\"%3\">Open folder</a>")
                         .arg(Format::plural(rows, tr("row"), tr("rows")),
                              QDir::toNativeSeparators(path).toHtmlEscaped(),
                              QUrl::fromLocalFile(QFileInfo(path).absolutePath()).toString().toHtmlEscaped())
                   : error.toHtmlEscaped());
            emit exportFinished(ok, rows, ok ? path : error);
        });
    m_exporter->start();
    return true;
}
