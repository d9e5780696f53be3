#include "sqlconsole.h"

#include "readonlysql.h"

#include "busyindicator.h"
#include "format.h"
#include "readonlydb.h"
#include "svgicon.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

// ---- worker (console thread) ----

SqlWorker::SqlWorker(QString catalogPath)
    : m_path(std::move(catalogPath))
    , m_connectionName(ReadOnlyDb::uniqueName(QStringLiteral("mc-sql-console")))
{
}

SqlWorker::~SqlWorker()
{
    handle = nullptr;
    if (m_open)
        ReadOnlyDb::close(m_connectionName);
}

bool SqlWorker::ensureOpen(QString *error)
{
    if (m_open)
        return true;
    QSqlDatabase db = ReadOnlyDb::open(m_path, m_connectionName, error);
    m_open = db.isOpen();
    handle = ReadOnlyDb::sqliteHandle(db);
    return m_open;
}

void SqlWorker::run(int id, const QString &sql, int maxRows)
{
    SqlResult result;
    QElapsedTimer clock;
    clock.start();
    if (ensureOpen(&result.error)) {
        QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
        query.setForwardOnly(true);
        QString statement;
        if (const QString refused =
                ReadOnlySql::problem(QSqlDatabase::database(m_connectionName, false), sql, &statement);
            !refused.isEmpty()) {
            result.error = refused;
        } else if (!query.exec(statement)) {
            result.error = query.lastError().databaseText().isEmpty() ? query.lastError().text()
                                                                      : query.lastError().databaseText();
        } else {
            const QSqlRecord record = query.record();
            for (int c = 0; c < record.count(); ++c)
                result.columns << record.fieldName(c);
            while (query.next()) {
                if (result.rows.size() >= maxRows) {
                    result.truncated = true;
                    break;
                }
                QVariantList row;
                row.reserve(record.count());
                for (int c = 0; c < record.count(); ++c)
                    row << query.value(c);
                result.rows.append(row);
            }
            if (query.lastError().isValid() && result.rows.isEmpty())
                result.error = query.lastError().text();
        }
    }
    result.elapsedMs = clock.elapsed();
    emit finished(id, result);
}

void SqlWorker::listObjects()
{
    QString error;
    QStringList tables, views;
    if (ensureOpen(&error)) {
        QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
        if (query.exec(QStringLiteral(
                "SELECT type, name FROM sqlite_master WHERE type IN ('table','view') AND name NOT "
                "LIKE 'sqlite_%' ORDER BY type, name"))) {
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
{
    setObjectName(QStringLiteral("sqlConsolePage"));
    m_worker->moveToThread(&m_thread);
    m_thread.setObjectName(QStringLiteral("sql-console"));
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &SqlWorker::finished, this, &SqlConsolePage::onFinished);
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
    buttons->addWidget(m_runButton);
    buttons->addWidget(m_stopButton);
    buttons->addWidget(m_busy);
    buttons->addWidget(m_status, 1);
    editorLayout->addLayout(buttons);

    m_model = new SqlResultModel(this);
    m_table = new QTableView(right);
    m_table->setObjectName(QStringLiteral("sqlResults"));
    m_table->setModel(m_model);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setDefaultSectionSize(140);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    right->addWidget(editorBox);
    right->addWidget(m_table);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 3);
    splitter->addWidget(m_objects);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 4);
    layout->addWidget(splitter, 1);

    connect(m_runButton, &QPushButton::clicked, this, qOverload<>(&SqlConsolePage::runQuery));
    connect(m_stopButton, &QPushButton::clicked, this, &SqlConsolePage::stopQuery);
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
    ReadOnlyDb::interrupt(m_worker->handle);
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
    ReadOnlyDb::interrupt(m_worker->handle); // thread-safe: the worker's statement ends with "interrupted"
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
        emit queryFinished(false);
        return;
    }
    m_model->setResult(result);
    m_status->setText(result.truncated
                          ? tr("First %1 rows shown (%2)")
                                .arg(Format::count(result.rows.size()), Format::duration(result.elapsedMs))
                          : tr("%1 in %2")
                                .arg(Format::plural(result.rows.size(), tr("row"), tr("rows")),
                                     Format::duration(result.elapsedMs)));
    emit queryFinished(true);
}
