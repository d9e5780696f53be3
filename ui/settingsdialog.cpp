#include "settingsdialog.h"

#include "catalog.h"
#include "catalogdialect.h"
#include "secretstore.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QUrl>
#include <QVBoxLayout>

SettingsDialog::SettingsDialog(const QString &currentCatalog, SecretBackend currentBackend, QWidget *parent)
    : QDialog(parent)
    , m_currentCatalog(currentCatalog)
    , m_backend(currentBackend)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);

    auto *catalogRow = new QHBoxLayout;
    m_catalog = new QLineEdit(this);
    m_catalog->setObjectName(QStringLiteral("catalogLocation"));
    m_catalog->setText(QSettings().value(catalogSettingKey(), currentCatalog).toString());
    m_catalog->setMinimumWidth(380);
    auto *browse = new QPushButton(tr("Browse…"), this);
    auto *useDefault = new QPushButton(tr("Default"), this);
    useDefault->setToolTip(Catalog::defaultLocation());
    catalogRow->addWidget(m_catalog, 1);
    catalogRow->addWidget(browse);
    catalogRow->addWidget(useDefault);
    form->addRow(tr("Catalog:"), catalogRow);
    auto *catalogHelp =
        new QLabel(tr("The SQLite file that holds connections, synced records and run history, or a team "
                      "catalog's postgresql://user@host:port/database URL (its password in ~/.pgpass). "
                      "--catalog and MAKO_CONNECT_CATALOG override it."),
                   this);
    catalogHelp->setWordWrap(true);
    form->addRow(QString(), catalogHelp);

    auto *secretsRow = new QHBoxLayout;
    m_secretsWhere = new QLabel(this);
    m_secretsWhere->setObjectName(QStringLiteral("secretsWhere"));
    m_secretsWhere->setWordWrap(true);
    m_moveSecrets = new QPushButton(this);
    m_moveSecrets->setObjectName(QStringLiteral("moveSecrets"));
    secretsRow->addWidget(m_secretsWhere, 1);
    secretsRow->addWidget(m_moveSecrets);
    form->addRow(tr("Secrets:"), secretsRow);
    m_secretsMessage = new QLabel(this);
    m_secretsMessage->setObjectName(QStringLiteral("secretsMessage"));
    m_secretsMessage->setWordWrap(true);
    m_secretsMessage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(QString(), m_secretsMessage);
    layout->addLayout(form);

    m_note = new QLabel(tr("In use now: %1. A new catalog applies when Mako Connect restarts.")
                            .arg(CatalogLocation::backendOf(currentCatalog) == CatalogBackend::Sqlite
                                     ? QDir::toNativeSeparators(currentCatalog)
                                     : CatalogLocation::display(currentCatalog)),
                        this);
    m_note->setWordWrap(true);
    layout->addWidget(m_note);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    QPushButton *restart = buttons->addButton(tr("Save and restart"), QDialogButtonBox::AcceptRole);
    restart->setObjectName(QStringLiteral("restartButton"));
    layout->addWidget(buttons);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Catalog file"), m_catalog->text(),
                                                          tr("SQLite catalog (*.sqlite *.db)"), nullptr,
                                                          QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            m_catalog->setText(path);
    });
    connect(useDefault, &QPushButton::clicked, this,
            [this] { m_catalog->setText(Catalog::defaultLocation()); });
    connect(m_moveSecrets, &QPushButton::clicked, this, [this] {
        m_moveSecrets->setEnabled(false);
        emit moveSecretsRequested(m_backend == SecretBackend::Keychain ? SecretBackend::File
                                                                       : SecretBackend::Keychain);
    });
    connect(buttons, &QDialogButtonBox::clicked, this, [this, buttons, restart](QAbstractButton *button) {
        if (buttons->buttonRole(button) == QDialogButtonBox::RejectRole) {
            reject();
            return;
        }
        m_restart = button == restart;
        if (apply())
            accept();
    });
    showSecretStore(currentBackend);
}

void SettingsDialog::showSecretStore(SecretBackend backend, const QString &message, bool problem)
{
    m_backend = backend;
    const bool keychain = backend == SecretBackend::Keychain;
    const QString file = FileSecretStore::defaultPathFor(m_currentCatalog);
    const bool beside = CatalogLocation::backendOf(m_currentCatalog) == CatalogBackend::Sqlite;
    m_secretsWhere->setText(
        keychain ? tr("Kept in the system keychain.")
        : beside ? tr("Kept in “%1” beside the catalog, readable only by you; never inside the catalog.")
                       .arg(QFileInfo(file).fileName())
                 : tr("Kept in “%1” on this computer, readable only by you; never inside the catalog.")
                       .arg(QDir::toNativeSeparators(file)));
    m_moveSecrets->setText(keychain ? tr("Move to a file") : tr("Move to the keychain"));
    m_moveSecrets->setEnabled(true);
    m_secretsMessage->setVisible(!message.isEmpty());
    m_secretsMessage->setStyleSheet(problem ? QStringLiteral("color: #c62828;") : QString());
    m_secretsMessage->setText(message);
}

QString SettingsDialog::catalogLocation() const
{
    return m_catalog->text().trimmed();
}

bool SettingsDialog::apply()
{
    if (catalogLocation().isEmpty()) {
        m_note->setStyleSheet(QStringLiteral("color: #c62828;"));
        m_note->setText(tr("Choose a catalog file."));
        return false;
    }
    // Settings are a plain file: a password there would be a secret stored in the clear.
    if (CatalogLocation::backendOf(catalogLocation()) == CatalogBackend::Postgres &&
        !QUrl(catalogLocation()).password().isEmpty()) {
        m_note->setStyleSheet(QStringLiteral("color: #c62828;"));
        m_note->setText(tr("Leave the password out of the URL: Mako Connect is not to keep it in its "
                           "settings. Put it in ~/.pgpass (or PGPASSWORD) and save the URL without it."));
        return false;
    }
    QSettings().setValue(catalogSettingKey(), catalogLocation());
    return true;
}
