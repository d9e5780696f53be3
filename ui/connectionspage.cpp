#include "connectionspage.h"

#include "connectorregistry.h"
#include "format.h"
#include "iconwidget.h"
#include "recordsbrowser.h"
#include "runspanel.h"
#include "svgicon.h"
#include "syncpanel.h"
#include "testconnectionwidget.h"

#include <QAction>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyledItemDelegate>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

constexpr int IdRole = Qt::UserRole + 1;
constexpr int StatusTextRole = Qt::UserRole + 2;
constexpr int StatusRole = Qt::UserRole + 3; // done, failed, running, interrupted... for the colour
constexpr int NameRole = Qt::UserRole + 4;
constexpr int ScheduleTextRole = Qt::UserRole + 5; // "next sync at 03:00", when it has a schedule

// A connection as icon tile, bold name, a coloured status line and, when scheduled, its next sync; each
// elided to the list's width.
class ConnectionDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        return {200, qMax(46, lines(index) * option.fontMetrics.height() + 14)};
    }

    static int lines(const QModelIndex &index)
    {
        return index.data(ScheduleTextRole).toString().isEmpty() ? 2 : 3;
    }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        painter->save();
        const QPalette &palette = option.palette;
        const bool selected = option.state & QStyle::State_Selected;
        if (selected)
            painter->fillRect(option.rect, palette.color(QPalette::Highlight));
        else if (option.state & QStyle::State_MouseOver)
            painter->fillRect(option.rect, palette.color(QPalette::AlternateBase));
        const QRect iconRect(option.rect.left() + 8, option.rect.center().y() - 15, 30, 30);
        IconWidget::paintTile(painter, iconRect, index.data(Qt::DecorationRole).value<QIcon>());
        const int left = iconRect.right() + 10;
        const int width = option.rect.right() - left - 6;
        QFont bold = option.font;
        bold.setBold(true);
        const QFontMetrics boldMetrics(bold);
        const int lineHeight = option.fontMetrics.height();
        const int top = option.rect.top() +
                        (option.rect.height() - lines(index) * lineHeight - 2 * (lines(index) - 1)) / 2;
        painter->setFont(bold);
        painter->setPen(palette.color(selected ? QPalette::HighlightedText : QPalette::Text));
        painter->drawText(QRect(left, top, width, boldMetrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                          boldMetrics.elidedText(index.data(NameRole).toString(), Qt::ElideRight, width));
        const QString status = index.data(StatusRole).toString();
        QColor color = status.isEmpty() ? Format::dimText(palette) : Format::statusColor(status);
        if (selected)
            color = palette.color(QPalette::HighlightedText);
        painter->setFont(option.font);
        painter->setPen(color);
        painter->drawText(
            QRect(left, top + boldMetrics.height() + 2, width, option.fontMetrics.height()),
            Qt::AlignLeft | Qt::AlignVCenter,
            option.fontMetrics.elidedText(index.data(StatusTextRole).toString(), Qt::ElideRight, width));
        const QString schedule = index.data(ScheduleTextRole).toString();
        if (!schedule.isEmpty()) {
            painter->setPen(selected ? palette.color(QPalette::HighlightedText) : Format::dimText(palette));
            painter->drawText(QRect(left, top + boldMetrics.height() + lineHeight + 4, width, lineHeight),
                              Qt::AlignLeft | Qt::AlignVCenter,
                              option.fontMetrics.elidedText(schedule, Qt::ElideRight, width));
        }
        painter->restore();
    }
};

QToolButton *headerButton(QAction *action, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    button->setAutoRaise(false);
    return button;
}

} // namespace

ConnectionsPage::ConnectionsPage(SyncEngine *engine, Catalog *catalog, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_catalog(catalog)
{
    setObjectName(QStringLiteral("connectionsPage"));

    m_editAction = new QAction(Icons::ui(QStringLiteral("edit")), tr("&Edit…"), this);
    m_editAction->setObjectName(QStringLiteral("editConnectionAction"));
    m_editAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+E")));
    m_editAction->setToolTip(tr("Edit the connection's settings (Ctrl+E)"));
    m_duplicateAction = new QAction(Icons::ui(QStringLiteral("duplicate")), tr("D&uplicate…"), this);
    m_duplicateAction->setObjectName(QStringLiteral("duplicateConnectionAction"));
    m_duplicateAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+D")));
    m_duplicateAction->setToolTip(tr("A new connection with the same settings (Ctrl+D)"));
    m_removeAction = new QAction(Icons::ui(QStringLiteral("remove")), tr("&Remove…"), this);
    m_removeAction->setObjectName(QStringLiteral("removeConnectionAction"));
    m_removeAction->setShortcut(QKeySequence::Delete);
    m_removeAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_removeAction->setToolTip(tr("Remove the connection with its records and history (Del)"));
    m_testAction = new QAction(Icons::ui(QStringLiteral("test")), tr("&Test"), this);
    m_testAction->setObjectName(QStringLiteral("testConnectionAction"));
    m_testAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+T")));
    m_testAction->setToolTip(tr("Check the saved credentials against the service (Ctrl+T)"));
    m_syncAction = new QAction(Icons::ui(QStringLiteral("sync")), tr("&Sync"), this);
    m_syncAction->setObjectName(QStringLiteral("syncAction"));
    m_syncAction->setShortcuts({QKeySequence(QStringLiteral("Ctrl+R")), QKeySequence(Qt::Key_F5)});
    m_syncAction->setToolTip(tr("Sync the checked entities of the selected connection (Ctrl+R)"));
    m_cancelAction = new QAction(Icons::ui(QStringLiteral("cancel")), tr("&Cancel sync"), this);
    m_cancelAction->setObjectName(QStringLiteral("cancelSyncAction"));
    m_cancelAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+.")));
    m_cancelAction->setToolTip(tr("Stop the running sync; saved records are kept (Ctrl+.)"));
    m_exportAction = new QAction(Icons::ui(QStringLiteral("export")), tr("E&xport records…"), this);
    m_exportAction->setObjectName(QStringLiteral("exportAction"));
    m_exportAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+E")));
    m_exportAction->setToolTip(tr("Export the records shown to CSV or JSON Lines (Ctrl+Shift+E)"));
    m_findAction = new QAction(Icons::ui(QStringLiteral("search")), tr("&Find records"), this);
    m_findAction->setObjectName(QStringLiteral("findAction"));
    m_findAction->setShortcut(QKeySequence::Find);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("connectionsSplitter"));
    splitter->setChildrenCollapsible(false);

    m_list = new QListWidget(splitter);
    m_list->setObjectName(QStringLiteral("connectionList"));
    m_list->setIconSize(QSize(28, 28));
    m_list->setSpacing(2);
    m_list->setMinimumWidth(220);
    m_list->setUniformItemSizes(true);
    m_list->setItemDelegate(new ConnectionDelegate(m_list));
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setMouseTracking(true);
    m_list->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_list->addActions({m_syncAction, m_testAction, m_editAction, m_duplicateAction, m_removeAction});
    m_list->addAction(m_removeAction);

    m_right = new QStackedWidget(splitter);
    m_empty = new QWidget(m_right);
    auto *emptyLayout = new QVBoxLayout(m_empty);
    auto *emptyLabel =
        new QLabel(tr("<h3>No connection yet</h3><p>Pick a source on the <b>Connectors</b> page and "
                      "press <b>Add connection…</b> (Ctrl+N).<br>You will enter its credentials, test "
                      "them, and sync its data into the local catalog.</p>"),
                   m_empty);
    emptyLabel->setObjectName(QStringLiteral("emptyConnections"));
    emptyLabel->setAlignment(Qt::AlignCenter);
    emptyLabel->setWordWrap(true);
    emptyLayout->addWidget(emptyLabel);
    m_right->addWidget(m_empty);

    m_details = new QWidget(m_right);
    auto *details = new QVBoxLayout(m_details);
    details->setContentsMargins(12, 4, 4, 4);
    auto *head = new QHBoxLayout;
    m_icon = new IconWidget(44, true, m_details);
    head->addWidget(m_icon, 0, Qt::AlignTop);
    auto *titles = new QVBoxLayout;
    m_title = new QLabel(m_details);
    m_title->setObjectName(QStringLiteral("connectionTitle"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_subtitle = new QLabel(m_details);
    m_subtitle->setObjectName(QStringLiteral("connectionSubtitle"));
    m_subtitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    titles->addWidget(m_title);
    titles->addWidget(m_subtitle);
    head->addLayout(titles, 1);
    head->addWidget(headerButton(m_editAction, m_details));
    head->addWidget(headerButton(m_duplicateAction, m_details));
    head->addWidget(headerButton(m_removeAction, m_details));
    details->addLayout(head);
    m_tester = new TestConnectionWidget(engine, m_details);
    m_tester->setObjectName(QStringLiteral("connectionTester"));
    m_tester->setConfigProvider([this](QString *connectorId, QJsonObject *config) {
        const std::optional<ConnectionInfo> connection = currentConnection();
        if (!connection)
            return false;
        *connectorId = connection->connectorId;
        // Secrets are read back from the store here and handed straight to the test job.
        *config = m_engine->resolvedConfig(*connection);
        return true;
    });
    details->addWidget(m_tester);

    m_tabs = new QTabWidget(m_details);
    m_tabs->setObjectName(QStringLiteral("connectionTabs"));
    m_tabs->setDocumentMode(true);
    m_syncStack = new QStackedWidget(m_tabs);
    m_syncStack->setObjectName(QStringLiteral("syncStack"));
    m_runs = new RunsPanel(catalog, m_tabs);
    m_records = new RecordsBrowser(engine->catalogLocation(), catalog, m_tabs);
    m_tabs->addTab(m_syncStack, Icons::ui(QStringLiteral("sync")), tr("Sync"));
    m_tabs->addTab(m_runs, Icons::ui(QStringLiteral("runs")), tr("Runs"));
    m_tabs->addTab(m_records, Icons::ui(QStringLiteral("records")), tr("Records"));
    details->addWidget(m_tabs, 1);
    m_right->addWidget(m_details);

    splitter->addWidget(m_list);
    splitter->addWidget(m_right);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 4);
    splitter->setSizes({220, 1000});
    layout->addWidget(splitter);
    m_list->setVisible(QSettings().value(QStringLiteral("connections/listShown"), true).toBool());

    connect(m_list, &QListWidget::currentItemChanged, this, [this] { showCurrent(); });
    connect(m_list, &QListWidget::itemActivated, this, [this] { showTab(SyncTab); });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        QSettings().setValue(QStringLiteral("connections/tab"), index);
        if (index == RunsTab)
            m_runs->refresh();
        updateActions();
    });
    connect(m_editAction, &QAction::triggered, this, &ConnectionsPage::editConnection);
    connect(m_duplicateAction, &QAction::triggered, this, &ConnectionsPage::duplicateConnection);
    connect(m_removeAction, &QAction::triggered, this, &ConnectionsPage::removeConnection);
    connect(m_testAction, &QAction::triggered, this, &ConnectionsPage::testConnection);
    connect(m_syncAction, &QAction::triggered, this, &ConnectionsPage::syncConnection);
    connect(m_cancelAction, &QAction::triggered, this, &ConnectionsPage::cancelSync);
    connect(m_exportAction, &QAction::triggered, this, [this] {
        showTab(RecordsTab);
        m_records->exportRecords();
    });
    connect(m_findAction, &QAction::triggered, this, [this] {
        showTab(RecordsTab);
        m_records->focusFilter();
    });

    // A sync started anywhere (this page, the toolbar, a test) shows in its connection's panel.
    connect(engine, &SyncEngine::jobStarted, this, [this](SyncJob *job) {
        syncPanel(job->connection().id)->attach(job);
        emit syncStatusChanged();
    });
    connect(engine, &SyncEngine::jobFinished, this, [this](qint64 connectionId, const RunSummary &) {
        if (QListWidgetItem *item = itemFor(connectionId))
            updateItem(item);
        if (connectionId == currentConnectionId()) {
            m_runs->refresh();
            m_records->refresh();
            showCurrent();
        }
        updateActions();
        emit syncStatusChanged();
    });

    auto *clock = new QTimer(this);
    clock->setObjectName(QStringLiteral("relativeTimesTimer"));
    clock->setInterval(60 * 1000);
    connect(clock, &QTimer::timeout, this, &ConnectionsPage::refreshTimes);
    clock->start();

    reload();
    const int tab = QSettings().value(QStringLiteral("connections/tab"), SyncTab).toInt();
    m_tabs->setCurrentIndex(qBound(0, tab, 2));
    selectConnection(QSettings().value(QStringLiteral("connections/last")).toLongLong());
}

QList<QAction *> ConnectionsPage::connectionActions() const
{
    return {m_syncAction, m_cancelAction, m_testAction, m_editAction, m_duplicateAction, m_removeAction};
}

void ConnectionsPage::reload()
{
    const qint64 selected = currentConnectionId();
    m_connections = m_catalog ? m_catalog->connections() : QList<ConnectionInfo>();
    {
        QSignalBlocker block(m_list);
        m_list->clear();
        for (const ConnectionInfo &connection : std::as_const(m_connections)) {
            auto *item = new QListWidgetItem(m_list);
            item->setData(IdRole, connection.id);
            const ConnectorMetadata *metadata =
                ConnectorRegistry::instance().metadata(connection.connectorId);
            item->setIcon(Icons::connector(metadata ? metadata->iconPath : QString()));
            updateItem(item);
            if (m_panels.contains(connection.id))
                m_panels.value(connection.id)->setConnection(connection);
        }
    }
    if (!selectConnection(selected) && m_list->count() > 0)
        m_list->setCurrentRow(0);
    showCurrent();
}

void ConnectionsPage::refreshTimes()
{
    for (int row = 0; row < m_list->count(); ++row)
        updateItem(m_list->item(row));
}

QListWidgetItem *ConnectionsPage::itemFor(qint64 id) const
{
    for (int row = 0; row < m_list->count(); ++row)
        if (m_list->item(row)->data(IdRole).toLongLong() == id)
            return m_list->item(row);
    return nullptr;
}

void ConnectionsPage::updateItem(QListWidgetItem *item)
{
    const qint64 id = item->data(IdRole).toLongLong();
    ConnectionInfo connection;
    for (const ConnectionInfo &c : std::as_const(m_connections))
        if (c.id == id)
            connection = c;
    const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connection.connectorId);
    QString status;
    QString statusKey;
    SyncPanel *panel = m_panels.value(id);
    if (panel && panel->isSyncing()) {
        status = tr("Syncing… %1").arg(panel->progressSummary());
        statusKey = QStringLiteral("running");
    } else if (panel ? panel->hasInterruptedSync() : false) {
        status = tr("Interrupted — resume available");
        statusKey = QStringLiteral("interrupted");
    } else if (m_catalog) {
        const QList<RunInfo> runs = m_catalog->runs(id, 1);
        if (runs.isEmpty()) {
            status = tr("Never synced");
        } else {
            const RunInfo &run = runs.first();
            status = QStringLiteral("%1 · %2").arg(Format::statusLabel(run.status),
                                                   Format::relative(run.startedAt));
            statusKey = run.status;
            if (run.status == QLatin1String("interrupted") || run.status == QLatin1String("cancelled"))
                status = tr("%1 — resume available").arg(Format::statusLabel(run.status));
        }
    }
    QString tip = status;
    QString scheduleText;
    if (const Schedule schedule = m_catalog ? m_catalog->schedule(id) : Schedule(); schedule.isOn()) {
        const QDateTime next = nextScheduledRun(*m_catalog, id, schedule);
        scheduleText = panel && panel->isSyncing()
                           ? tr("syncs %1").arg(schedule.describe())
                           : tr("next sync %1").arg(Format::upcoming(next, QDateTime::currentDateTimeUtc()));
        tip += tr("\nSyncs by itself (%1) while the app is open, or with `mako-connect-cli sync --due`; "
                  "next: %2")
                   .arg(schedule.describe(), Format::dateTime(next));
    }
    item->setText(QStringLiteral("%1\n%2").arg(connection.name, status) +
                  (scheduleText.isEmpty() ? QString() : QStringLiteral("\n") + scheduleText));
    item->setData(ScheduleTextRole, scheduleText);
    item->setToolTip(QStringLiteral("%1 (%2)\n%3")
                         .arg(connection.name, metadata ? metadata->name : connection.connectorId, tip));
    item->setData(NameRole, connection.name);
    item->setData(StatusTextRole, status);
    item->setData(StatusRole, statusKey);
}

std::optional<ConnectionInfo> ConnectionsPage::currentConnection() const
{
    const qint64 id = currentConnectionId();
    for (const ConnectionInfo &connection : m_connections)
        if (connection.id == id)
            return connection;
    return std::nullopt;
}

qint64 ConnectionsPage::currentConnectionId() const
{
    QListWidgetItem *item = m_list->currentItem();
    return item ? item->data(IdRole).toLongLong() : 0;
}

bool ConnectionsPage::selectConnection(qint64 id)
{
    if (QListWidgetItem *item = itemFor(id)) {
        m_list->setCurrentItem(item);
        return true;
    }
    return false;
}

bool ConnectionsPage::selectConnection(const QString &name)
{
    for (const ConnectionInfo &connection : std::as_const(m_connections))
        if (connection.name == name)
            return selectConnection(connection.id);
    return false;
}

QStringList ConnectionsPage::connectionNames() const
{
    QStringList names;
    for (const ConnectionInfo &connection : m_connections)
        names << connection.name;
    return names;
}

SyncPanel *ConnectionsPage::syncPanel(qint64 connectionId)
{
    if (SyncPanel *panel = m_panels.value(connectionId))
        return panel;
    ConnectionInfo connection;
    for (const ConnectionInfo &c : std::as_const(m_connections))
        if (c.id == connectionId)
            connection = c;
    if (connection.id == 0 && m_catalog) {
        if (auto found = m_catalog->connectionById(connectionId))
            connection = *found;
    }
    const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connection.connectorId);
    auto *panel = new SyncPanel(m_engine, m_catalog, connection, metadata ? *metadata : ConnectorMetadata(),
                                m_syncStack);
    m_syncStack->addWidget(panel);
    m_panels.insert(connectionId, panel);
    auto refreshItem = [this, connectionId] {
        if (QListWidgetItem *item = itemFor(connectionId))
            updateItem(item);
        updateActions();
        emit syncStatusChanged();
    };
    connect(panel, &SyncPanel::syncStarted, this, refreshItem);
    connect(panel, &SyncPanel::syncFinished, this, refreshItem);
    connect(panel, &SyncPanel::interruptedChanged, this, refreshItem);
    connect(panel, &SyncPanel::progressChanged, this, [this, connectionId] {
        if (QListWidgetItem *item = itemFor(connectionId))
            updateItem(item);
        emit syncStatusChanged();
    });
    return panel;
}

SyncPanel *ConnectionsPage::currentSyncPanel()
{
    const qint64 id = currentConnectionId();
    return id > 0 ? syncPanel(id) : nullptr;
}

int ConnectionsPage::syncingCount() const
{
    int count = 0;
    for (SyncPanel *panel : m_panels)
        count += panel->isSyncing() ? 1 : 0;
    return count;
}

void ConnectionsPage::showCurrent()
{
    const std::optional<ConnectionInfo> connection = currentConnection();
    if (!connection) {
        m_right->setCurrentWidget(m_empty);
        m_shownId = -1;
        updateActions();
        return;
    }
    m_right->setCurrentWidget(m_details);
    const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connection->connectorId);
    m_icon->setIcon(Icons::connector(metadata ? metadata->iconPath : QString()));
    m_title->setText(connection->name);
    QStringList synced;
    if (m_catalog)
        synced = m_catalog->syncedEntities(connection->id);
    SyncPanel *panel = syncPanel(connection->id);
    panel->refreshEntities(); // a files connection's folder may have gained a file since
    // The panel's metadata has the entities this connection's settings define (files, GraphQL).
    const ConnectorMetadata &forConnection = panel->metadata();
    m_subtitle->setText(tr("%1 connector · %2 of %3 entities synced · created %4")
                            .arg(metadata ? metadata->name : connection->connectorId)
                            .arg(synced.size())
                            .arg(forConnection.entities.size())
                            .arg(Format::dateTime(connection->createdAt)));
    m_syncStack->setCurrentWidget(panel);
    if (m_shownId != connection->id) {
        m_shownId = connection->id;
        m_tester->clearVerdict();
        m_runs->setConnection(connection->id);
        m_records->setConnection(*connection, metadata ? &forConnection : nullptr);
        QSettings().setValue(QStringLiteral("connections/last"), connection->id);
        emit currentConnectionChanged(connection->id);
    }
    updateActions();
}

void ConnectionsPage::updateActions()
{
    const bool has = currentConnectionId() > 0;
    SyncPanel *panel = has ? m_panels.value(currentConnectionId()) : nullptr;
    const bool syncing = panel && panel->isSyncing();
    m_editAction->setEnabled(has);
    m_duplicateAction->setEnabled(has);
    m_removeAction->setEnabled(has && !syncing);
    m_testAction->setEnabled(has);
    m_syncAction->setEnabled(has && !syncing);
    m_cancelAction->setEnabled(syncing);
    m_exportAction->setEnabled(has);
    m_findAction->setEnabled(has);
}

void ConnectionsPage::showTab(int tab)
{
    m_tabs->setCurrentIndex(tab);
}

ConnectionDialog *ConnectionsPage::addConnection(const QString &connectorId)
{
    const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connectorId);
    if (!metadata)
        return nullptr;
    if (m_dialog)
        m_dialog->close();
    m_dialog = new ConnectionDialog(m_engine, *metadata, ConnectionDialog::Mode::Add, ConnectionInfo(),
                                    QJsonObject(), connectionNames(), this);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_dialog, &ConnectionDialog::saved, this, [this](qint64 id) {
        reload();
        selectConnection(id);
        showTab(SyncTab);
        emit statusMessage(tr("Connection saved. Choose entities and press Sync."));
    });
    m_dialog->open(); // window-modal without a nested event loop
    return m_dialog;
}

ConnectionDialog *ConnectionsPage::openDialog(ConnectionDialog::Mode mode)
{
    const std::optional<ConnectionInfo> connection = currentConnection();
    if (!connection)
        return nullptr;
    const ConnectorMetadata *metadata = ConnectorRegistry::instance().metadata(connection->connectorId);
    if (!metadata) {
        QMessageBox::warning(this, tr("Unknown connector"),
                             tr("This build has no “%1” connector.").arg(connection->connectorId));
        return nullptr;
    }
    if (m_dialog)
        m_dialog->close();
    QStringList taken = connectionNames();
    if (mode == ConnectionDialog::Mode::Edit)
        taken.removeAll(connection->name);
    QString error;
    const QJsonObject config = m_engine->resolvedConfig(*connection, &error);
    m_dialog = new ConnectionDialog(m_engine, *metadata, mode, *connection, config, taken, this);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    const qint64 sourceId = connection->id;
    connect(m_dialog, &ConnectionDialog::saved, this, [this, mode, sourceId](qint64 id) {
        m_shownId = -1; // the edit may have changed the entities the records browser offers
        reload();
        selectConnection(id);
        if (SyncPanel *panel = m_panels.value(id); panel && currentConnection())
            panel->setConnection(*currentConnection());
        if (mode == ConnectionDialog::Mode::Duplicate) {
            // A copy syncs what the original did, in the same mode, until changed.
            SyncPanel *source = syncPanel(sourceId);
            SyncPanel *copy = syncPanel(id);
            copy->setSelectedEntities(source->selectedEntities());
            copy->setMode(source->mode());
        }
        emit statusMessage(mode == ConnectionDialog::Mode::Edit ? tr("Connection updated.")
                                                                : tr("Connection duplicated."));
    });
    m_dialog->open();
    return m_dialog;
}

ConnectionDialog *ConnectionsPage::editConnection()
{
    return openDialog(ConnectionDialog::Mode::Edit);
}

ConnectionDialog *ConnectionsPage::duplicateConnection()
{
    return openDialog(ConnectionDialog::Mode::Duplicate);
}

void ConnectionsPage::removeConnection()
{
    const std::optional<ConnectionInfo> connection = currentConnection();
    if (!connection)
        return;
    if (SyncPanel *panel = m_panels.value(connection->id); panel && panel->isSyncing()) {
        emit statusMessage(tr("Cancel the sync of “%1” before removing it.").arg(connection->name));
        return;
    }
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Remove connection"),
                                tr("Remove “%1”?").arg(connection->name), QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("removeConfirm"));
    box->setInformativeText(tr("Its synced records, sync history and saved credentials are deleted from this "
                               "computer. The data at the source is not touched."));
    QPushButton *remove = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("confirmRemoveButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    const qint64 id = connection->id;
    const QString name = connection->name;
    const QString connectorId = connection->connectorId;
    connect(box, &QMessageBox::buttonClicked, this,
            [this, box, remove, id, name, connectorId](QAbstractButton *button) {
                if (button != remove)
                    return;
                Q_UNUSED(box)
                // The delete runs on the writer thread; the GUI goes on and reloads when it is done.
                SyncEngine *engine = m_engine;
                QFuture<QVariant> future =
                    m_engine->writer()->submit([id, engine, connectorId](Catalog &catalog) {
                        const bool ok = catalog.removeConnection(id);
                        if (ok)
                            engine->removeSecrets(id, connectorId);
                        return QVariant(ok ? QString() : catalog.errorString());
                    });
                auto *watcher = new QFutureWatcher<QVariant>(this);
                connect(watcher, &QFutureWatcher<QVariant>::finished, this, [this, watcher, id, name] {
                    watcher->deleteLater();
                    QString error;
                    try {
                        error = watcher->result().toString();
                    } catch (const std::exception &e) {
                        error = QString::fromUtf8(e.what());
                    }
                    if (!error.isEmpty()) {
                        QMessageBox::warning(this, tr("Remove connection"),
                                             tr("Could not remove “%1”: %2").arg(name, error));
                        return;
                    }
                    if (SyncPanel *panel = m_panels.take(id))
                        panel->deleteLater();
                    m_shownId = -1;
                    reload();
                    emit connectionRemoved(id);
                    emit statusMessage(tr("Removed “%1”.").arg(name));
                });
                watcher->setFuture(future);
            });
    box->open();
}

void ConnectionsPage::testConnection()
{
    if (currentConnectionId() > 0)
        m_tester->startTest();
}

void ConnectionsPage::syncConnection()
{
    if (SyncPanel *panel = currentSyncPanel()) {
        showTab(SyncTab);
        panel->startSync();
    }
}

void ConnectionsPage::cancelSync()
{
    if (SyncPanel *panel = currentSyncPanel())
        panel->cancelSync();
}

void ConnectionsPage::setListShown(bool shown)
{
    // Folded away, the selected connection gets the whole width; the choice is kept between sessions.
    m_list->setVisible(shown);
    QSettings().setValue(QStringLiteral("connections/listShown"), shown);
}

bool ConnectionsPage::isListShown() const
{
    return !m_list->isHidden();
}
