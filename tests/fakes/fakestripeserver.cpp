#include "fakestripeserver.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QMutexLocker>
#include <QSet>

#include <algorithm>
#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

namespace {

// ---- Deterministic record generation ----------------------------------------------------------------------

quint64 mix(quint64 x)
{
    // splitmix64: the same n always gives the same record.
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// A short formatted string on the stack: rendering a million records must not allocate per field.
struct Text
{
    char data[160];
    int size = 0;
    QByteArrayView view() const { return QByteArrayView(data, size); }
};

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
Text fmt(const char *format, ...)
{
    Text text;
    va_list args;
    va_start(args, format);
    const int n = std::vsnprintf(text.data, sizeof text.data, format, args);
    va_end(args);
    text.size = std::clamp(n, 0, int(sizeof text.data) - 1);
    return text;
}

// "<prefix><n as 10 digits>" (cus_0000000042) without printf: ids are the hottest strings when seeding.
Text padId(const char *prefix, int n)
{
    Text text;
    const size_t length = std::strlen(prefix);
    std::memcpy(text.data, prefix, length);
    char *digits = text.data + length;
    for (int i = 9; i >= 0; --i, n /= 10)
        digits[i] = char('0' + n % 10);
    text.size = int(length) + 10;
    text.data[text.size] = '\0';
    return text;
}

Text decimal(qint64 value)
{
    Text text;
    const auto result = std::to_chars(text.data, text.data + sizeof text.data - 1, value);
    text.size = int(result.ptr - text.data);
    text.data[text.size] = '\0';
    return text;
}

// Writes one JSON object in a fixed key order. At the top level, `overrides` (field -> rendered JSON value)
// replace generated values; overridden fields the generator does not know are appended at the end.
// It writes into a std::string (inline appends): seeding a million records is dominated by this.
class JsonWriter
{
public:
    explicit JsonWriter(std::string &out, const QHash<QByteArray, QByteArray> *overrides = nullptr)
        : m_out(out)
        , m_overrides(overrides && !overrides->isEmpty() ? overrides : nullptr)
    {
        m_out += '{';
    }

    void finish()
    {
        if (m_overrides) {
            QList<QByteArray> keys = m_overrides->keys();
            std::sort(keys.begin(), keys.end());
            for (const QByteArray &key : keys) {
                if (!m_seen.contains(key))
                    field(key.constData());
            }
        }
        m_out += '}';
    }

    void str(const char *key, QByteArrayView value)
    {
        if (field(key))
            appendString(value);
    }
    void str(const char *key, const Text &value) { str(key, value.view()); }
    void num(const char *key, qint64 value)
    {
        if (field(key))
            appendNumber(value);
    }
    void boolean(const char *key, bool value)
    {
        if (field(key))
            m_out += value ? "true" : "false";
    }
    void null(const char *key)
    {
        if (field(key))
            m_out += "null";
    }
    void raw(const char *key, QByteArrayView json)
    {
        if (field(key))
            m_out.append(json.data(), size_t(json.size()));
    }
    template <typename Fill> void object(const char *key, Fill fill)
    {
        if (!field(key))
            return;
        JsonWriter inner(m_out);
        fill(inner);
        inner.finish();
    }
    template <typename Fill> void objects(const char *key, int count, Fill fill)
    {
        if (!field(key))
            return;
        m_out += '[';
        for (int i = 0; i < count; ++i) {
            if (i)
                m_out += ',';
            JsonWriter inner(m_out);
            fill(inner, i);
            inner.finish();
        }
        m_out += ']';
    }

private:
    // Writes `"key":` and returns whether the caller should write the value (false: an override was written).
    bool field(const char *key)
    {
        if (m_fields++)
            m_out += ',';
        m_out += '"';
        m_out += key;
        m_out += "\":";
        if (m_overrides) {
            const auto it = m_overrides->constFind(QByteArray::fromRawData(key, qsizetype(std::strlen(key))));
            if (it != m_overrides->constEnd()) {
                m_out.append(it.value().constData(), size_t(it.value().size()));
                m_seen.insert(it.key());
                return false;
            }
        }
        return true;
    }

    void appendString(QByteArrayView value)
    {
        m_out += '"';
        const auto plain = [](char c) { return c != '"' && c != '\\' && uchar(c) >= 0x20; };
        if (std::all_of(value.begin(), value.end(), plain)) { // generated text: one append
            m_out.append(value.data(), size_t(value.size()));
            m_out += '"';
            return;
        }
        for (char c : value) {
            if (c == '"' || c == '\\') {
                m_out += '\\';
                m_out += c;
            } else if (uchar(c) < 0x20) {
                const Text escaped = fmt("\\u%04x", unsigned(uchar(c)));
                m_out.append(escaped.data, size_t(escaped.size));
            } else {
                m_out += c;
            }
        }
        m_out += '"';
    }

    void appendNumber(qint64 value)
    {
        char buffer[24];
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
        m_out.append(buffer, size_t(result.ptr - buffer));
    }

    std::string &m_out;
    const QHash<QByteArray, QByteArray> *m_overrides;
    QSet<QByteArray> m_seen;
    int m_fields = 0;
};

struct Person
{
    const char *first;
    const char *last;
    const char *firstLower;
    const char *lastLower;
};

const Person kPeople[] = {
    {"Ada", "Lovelace", "ada", "lovelace"},
    {"Grace", "Hopper", "grace", "hopper"},
    {"Alan", "Turing", "alan", "turing"},
    {"Edsger", "Dijkstra", "edsger", "dijkstra"},
    {"Barbara", "Liskov", "barbara", "liskov"},
    {"Donald", "Knuth", "donald", "knuth"},
    {"Margaret", "Hamilton", "margaret", "hamilton"},
    {"Ken", "Thompson", "ken", "thompson"},
    {"Frances", "Allen", "frances", "allen"},
    {"Dennis", "Ritchie", "dennis", "ritchie"},
    {"Radia", "Perlman", "radia", "perlman"},
    {"Niklaus", "Wirth", "niklaus", "wirth"},
    {"Sophie", "Wilson", "sophie", "wilson"},
    {"John", "Backus", "john", "backus"},
    {"Katherine", "Johnson", "katherine", "johnson"},
    {"Tim", "Berners-Lee", "tim", "berners-lee"},
};

struct City
{
    const char *city;
    const char *country;
    const char *street;
    const char *postalCode;
    const char *state; // nullptr: JSON null
    const char *currency;
};

const City kCities[] = {
    {"San Francisco", "US", "Market Street", "94103", "CA", "usd"},
    {"New York", "US", "Broadway", "10012", "NY", "usd"},
    {"Lisbon", "PT", "Rua Augusta", "1100-048", nullptr, "eur"},
    {"Berlin", "DE", "Torstrasse", "10119", nullptr, "eur"},
    {"Paris", "FR", "Rue de Rivoli", "75001", nullptr, "eur"},
    {"London", "GB", "Old Street", "EC1V 9HL", nullptr, "gbp"},
    {"Toronto", "CA", "King Street West", "M5V 1J5", "ON", "cad"},
    {"Sydney", "AU", "George Street", "2000", "NSW", "aud"},
};

const char *const kProducts[] = {"Mako Starter",          "Mako Team",   "Mako Business",
                                 "Mako Enterprise",       "Extra Seats", "Priority Support",
                                 "Data Retention Add-on", "Sandbox"};

template <typename T, size_t N> constexpr int countOf(const T (&)[N])
{
    return int(N);
}

// Ids of related objects: a stable pick among the first 1000 of that kind (they may not all be seeded).
Text ref(const char *prefix, quint64 r)
{
    return padId(prefix, int(r % 1000) + 1);
}

struct Ctx
{
    int n;
    qint64 created;
    QByteArrayView id;
    quint64 r; // per-record randomness
};

void renderCustomer(JsonWriter &w, const Ctx &c)
{
    const Person &p = kPeople[c.r % countOf(kPeople)];
    const City &city = kCities[(c.r >> 8) % countOf(kCities)];
    w.str("id", c.id);
    w.str("object", "customer");
    w.object("address", [&](JsonWriter &a) {
        a.str("city", city.city);
        a.str("country", city.country);
        a.str("line1", fmt("%d %s", int(1 + (c.r >> 12) % 250), city.street));
        a.null("line2");
        a.str("postal_code", city.postalCode);
        if (city.state)
            a.str("state", city.state);
        else
            a.null("state");
    });
    w.num("balance", (c.r >> 20) % 7 == 0 ? -qint64((c.r >> 24) % 5000) : 0);
    w.num("created", c.created);
    w.str("currency", city.currency);
    w.null("default_source");
    w.boolean("delinquent", (c.r >> 28) % 19 == 0);
    w.str("description", fmt("Mako test customer %d", c.n));
    w.null("discount");
    w.str("email", fmt("%s.%s.%d@example.com", p.firstLower, p.lastLower, c.n));
    w.str("invoice_prefix", fmt("%08X", unsigned(c.r >> 32)));
    w.object("invoice_settings", [&](JsonWriter &s) {
        s.null("custom_fields");
        s.str("default_payment_method", padId("pm_", c.n));
        s.null("footer");
        s.null("rendering_options");
    });
    w.boolean("livemode", false);
    w.object("metadata", [&](JsonWriter &m) {
        static const char *const plans[] = {"starter", "team", "business"};
        m.str("plan", plans[(c.r >> 36) % 3]);
        m.str("seq", decimal(c.n));
        m.str("source", "mako-fake");
    });
    w.str("name", fmt("%s %s", p.first, p.last));
    w.num("next_invoice_sequence", qint64(1 + (c.r >> 40) % 40));
    w.str("phone", fmt("+1415555%04d", c.n % 10000));
    w.raw("preferred_locales", "[\"en-US\"]");
    w.null("shipping");
    w.str("tax_exempt", "none");
    w.null("test_clock");
}

void renderCharge(JsonWriter &w, const Ctx &c)
{
    const Person &p = kPeople[c.r % countOf(kPeople)];
    const City &city = kCities[(c.r >> 8) % countOf(kCities)];
    const qint64 amount = 500 + qint64((c.r >> 16) % 200) * 100;
    const bool failed = (c.r >> 40) % 23 == 0;
    const bool refunded = !failed && (c.r >> 44) % 11 == 0;
    w.str("id", c.id);
    w.str("object", "charge");
    w.num("amount", amount);
    w.num("amount_captured", failed ? 0 : amount);
    w.num("amount_refunded", refunded ? amount : 0);
    if (failed)
        w.null("balance_transaction");
    else
        w.str("balance_transaction", padId("txn_", c.n));
    w.object("billing_details", [&](JsonWriter &b) {
        b.object("address", [&](JsonWriter &a) {
            a.null("city");
            a.str("country", city.country);
            a.null("line1");
            a.null("line2");
            a.str("postal_code", city.postalCode);
            a.null("state");
        });
        b.str("email", fmt("%s.%s@example.com", p.firstLower, p.lastLower));
        b.str("name", fmt("%s %s", p.first, p.last));
        b.null("phone");
    });
    w.boolean("captured", !failed);
    w.num("created", c.created);
    w.str("currency", city.currency);
    w.str("customer", ref("cus_", c.r >> 20));
    w.str("description", fmt("Payment for order #%d", 10000 + c.n));
    w.boolean("disputed", false);
    if (failed) {
        w.str("failure_code", "card_declined");
        w.str("failure_message", "Your card was declined.");
    } else {
        w.null("failure_code");
        w.null("failure_message");
    }
    w.null("invoice");
    w.boolean("livemode", false);
    w.object("metadata", [&](JsonWriter &m) { m.str("order_id", decimal(10000 + c.n)); });
    w.boolean("paid", !failed);
    w.str("payment_intent", padId("pi_", c.n));
    w.str("payment_method", padId("pm_", c.n));
    w.null("receipt_email");
    w.str("receipt_url",
          fmt("https://pay.stripe.com/receipts/payment/CAcaFwoVYWNjdF8xTWFrbw%s", c.id.data()));
    w.boolean("refunded", refunded);
    w.str("status", failed ? "failed" : "succeeded");
}

void renderInvoice(JsonWriter &w, const Ctx &c)
{
    const Person &p = kPeople[c.r % countOf(kPeople)];
    const qint64 amount = 1900 + qint64((c.r >> 16) % 50) * 1000;
    const bool open = (c.r >> 40) % 9 == 0;
    w.str("id", c.id);
    w.str("object", "invoice");
    w.str("account_country", "US");
    w.str("account_name", "Mako Test Co");
    w.num("amount_due", amount);
    w.num("amount_paid", open ? 0 : amount);
    w.num("amount_remaining", open ? amount : 0);
    w.num("attempt_count", open ? 0 : 1);
    w.boolean("attempted", !open);
    w.str("billing_reason", c.n % 12 == 1 ? "subscription_create" : "subscription_cycle");
    w.str("collection_method", "charge_automatically");
    w.num("created", c.created);
    w.str("currency", "usd");
    w.str("customer", ref("cus_", c.r >> 20));
    w.str("customer_email", fmt("%s.%s@example.com", p.firstLower, p.lastLower));
    w.str("customer_name", fmt("%s %s", p.first, p.last));
    w.null("due_date");
    w.str("hosted_invoice_url", fmt("https://invoice.stripe.com/i/acct_1Mako/test_%s", c.id.data()));
    w.boolean("livemode", false);
    w.object("metadata", [](JsonWriter &) {});
    // 1 to 3 lines, as Stripe's list object: the typed views give them a child view.
    w.object("lines", [&](JsonWriter &lines) {
        lines.str("object", "list");
        lines.objects("data", 1 + c.n % 3, [&](JsonWriter &line, int i) {
            line.str("id", fmt("il_%06d_%d", c.n, i));
            line.str("object", "line_item");
            line.num("amount", amount / (1 + c.n % 3));
            line.str("description", fmt("Line %d", i + 1));
            line.num("quantity", qint64(1 + i));
        });
        lines.boolean("has_more", false);
    });
    w.str("number", fmt("MAKO-%06d", c.n));
    w.boolean("paid", !open);
    w.num("period_end", c.created);
    w.num("period_start", c.created - 30 * 86400);
    w.str("status", open ? "open" : "paid");
    w.str("subscription", ref("sub_", c.r >> 24));
    w.num("subtotal", amount);
    w.num("total", amount);
}

void renderSubscription(JsonWriter &w, const Ctx &c)
{
    static const char *const statuses[] = {"active", "active", "active", "trialing", "past_due"};
    const Text price = ref("price_", c.r >> 8);
    w.str("id", c.id);
    w.str("object", "subscription");
    w.null("application_fee_percent");
    w.num("billing_cycle_anchor", c.created);
    w.null("cancel_at");
    w.boolean("cancel_at_period_end", false);
    w.null("canceled_at");
    w.str("collection_method", "charge_automatically");
    w.num("created", c.created);
    w.str("currency", "usd");
    w.num("current_period_end", c.created + 30 * 86400);
    w.num("current_period_start", c.created);
    w.str("customer", ref("cus_", c.r >> 20));
    w.null("days_until_due");
    w.str("default_payment_method", padId("pm_", c.n));
    w.object("items", [&](JsonWriter &items) {
        items.str("object", "list");
        items.objects("data", 1, [&](JsonWriter &item, int) {
            item.str("id", padId("si_", c.n));
            item.str("object", "subscription_item");
            item.num("created", c.created);
            item.str("price", price);
            item.num("quantity", qint64(1 + (c.r >> 32) % 5));
        });
        items.boolean("has_more", false);
        items.str("url", fmt("/v1/subscription_items?subscription=%s", c.id.data()));
    });
    w.str("latest_invoice", ref("in_", c.r >> 28));
    w.boolean("livemode", false);
    w.object("metadata", [](JsonWriter &) {});
    w.num("start_date", c.created);
    w.str("status", statuses[(c.r >> 40) % countOf(statuses)]);
    w.null("trial_end");
    w.null("trial_start");
}

void renderProduct(JsonWriter &w, const Ctx &c)
{
    const char *name = kProducts[c.r % countOf(kProducts)];
    w.str("id", c.id);
    w.str("object", "product");
    w.boolean("active", (c.r >> 16) % 13 != 0);
    w.num("created", c.created);
    w.str("default_price", ref("price_", c.r >> 8));
    w.str("description",
          fmt("%s plan for teams that sync their SaaS data into one local catalog (%d).", name, c.n));
    w.raw("images", "[]");
    w.boolean("livemode", false);
    w.raw("marketing_features", "[{\"name\":\"Unlimited connectors\"},{\"name\":\"Resumable syncs\"}]");
    w.object("metadata", [&](JsonWriter &m) {
        m.str("seq", decimal(c.n));
        m.str("tier", decimal(int(c.r % countOf(kProducts))));
    });
    w.str("name", fmt("%s %d", name, c.n));
    w.null("package_dimensions");
    w.null("shippable");
    w.null("statement_descriptor");
    w.str("tax_code", "txcd_10103001");
    w.str("type", "service");
    w.str("unit_label", "seat");
    w.num("updated", c.created + 3600);
    w.str("url", fmt("https://mako.test/products/%d", c.n));
}

void renderPrice(JsonWriter &w, const Ctx &c)
{
    const bool yearly = (c.r >> 12) % 3 == 0;
    const qint64 unit = 900 + qint64((c.r >> 16) % 40) * 500;
    w.str("id", c.id);
    w.str("object", "price");
    w.boolean("active", true);
    w.str("billing_scheme", "per_unit");
    w.num("created", c.created);
    w.str("currency", "usd");
    w.null("custom_unit_amount");
    w.boolean("livemode", false);
    w.str("lookup_key", fmt("%s_%d", yearly ? "yearly" : "monthly", c.n));
    w.object("metadata", [&](JsonWriter &m) { m.str("seq", decimal(c.n)); });
    w.str("nickname", fmt("%s %s", kProducts[c.r % countOf(kProducts)], yearly ? "yearly" : "monthly"));
    w.str("product", ref("prod_", c.r >> 8));
    w.object("recurring", [&](JsonWriter &r) {
        r.null("aggregate_usage");
        r.str("interval", yearly ? "year" : "month");
        r.num("interval_count", 1);
        r.null("meter");
        r.null("trial_period_days");
        r.str("usage_type", "licensed");
    });
    w.str("tax_behavior", "exclusive");
    w.null("tiers_mode");
    w.null("transform_quantity");
    w.str("type", "recurring");
    w.num("unit_amount", unit);
    w.str("unit_amount_decimal", fmt("%lld", static_cast<long long>(unit)));
}

void renderPaymentIntent(JsonWriter &w, const Ctx &c)
{
    const qint64 amount = 500 + qint64((c.r >> 16) % 200) * 100;
    const bool canceled = (c.r >> 40) % 17 == 0;
    w.str("id", c.id);
    w.str("object", "payment_intent");
    w.num("amount", amount);
    w.num("amount_capturable", 0);
    w.num("amount_received", canceled ? 0 : amount);
    w.null("application");
    w.null("application_fee_amount");
    if (canceled) {
        w.num("canceled_at", c.created + 600);
        w.str("cancellation_reason", "abandoned");
    } else {
        w.null("canceled_at");
        w.null("cancellation_reason");
    }
    w.str("capture_method", "automatic");
    w.str("client_secret", fmt("%s_secret_fake%08x", c.id.data(), unsigned(c.r)));
    w.str("confirmation_method", "automatic");
    w.num("created", c.created);
    w.str("currency", "usd");
    w.str("customer", ref("cus_", c.r >> 20));
    w.str("description", fmt("Order #%d", 10000 + c.n));
    w.null("last_payment_error");
    if (canceled)
        w.null("latest_charge");
    else
        w.str("latest_charge", padId("ch_", c.n));
    w.boolean("livemode", false);
    w.object("metadata", [&](JsonWriter &m) { m.str("order_id", decimal(10000 + c.n)); });
    w.str("payment_method", padId("pm_", c.n));
    w.raw("payment_method_types", "[\"card\"]");
    w.null("receipt_email");
    w.null("setup_future_usage");
    w.str("status", canceled ? "canceled" : "succeeded");
}

void renderRefund(JsonWriter &w, const Ctx &c)
{
    static const char *const reasons[] = {"requested_by_customer", "duplicate", "fraudulent"};
    w.str("id", c.id);
    w.str("object", "refund");
    w.num("amount", 500 + qint64((c.r >> 16) % 100) * 100);
    w.str("balance_transaction", padId("txn_", c.n));
    w.str("charge", ref("ch_", c.r >> 8));
    w.num("created", c.created);
    w.str("currency", "usd");
    w.object("destination_details", [&](JsonWriter &d) {
        d.object("card", [&](JsonWriter &card) {
            card.str("reference", fmt("%010u", unsigned(c.r >> 20)));
            card.str("reference_status", "available");
            card.str("reference_type", "acquirer_reference_number");
            card.str("type", "refund");
        });
        d.str("type", "card");
    });
    w.object("metadata", [&](JsonWriter &m) { m.str("ticket", fmt("SUP-%d", 4000 + c.n)); });
    w.str("payment_intent", ref("pi_", c.r >> 8));
    w.str("reason", reasons[(c.r >> 32) % countOf(reasons)]);
    w.str("receipt_number", fmt("%04d-%04d", int((c.r >> 36) % 10000), c.n % 10000));
    w.null("source_transfer_reversal");
    w.str("status", "succeeded");
    w.null("transfer_reversal");
}

void renderBalanceTransaction(JsonWriter &w, const Ctx &c)
{
    const qint64 amount = 500 + qint64((c.r >> 16) % 200) * 100;
    const qint64 fee = amount * 29 / 1000 + 30;
    w.str("id", c.id);
    w.str("object", "balance_transaction");
    w.num("amount", amount);
    w.num("available_on", c.created + 2 * 86400);
    w.num("created", c.created);
    w.str("currency", "usd");
    w.str("description", fmt("Payment for order #%d", 10000 + c.n));
    w.null("exchange_rate");
    w.num("fee", fee);
    w.str("balance_type", "payments");
    w.objects("fee_details", 2, [&](JsonWriter &f, int i) {
        f.num("amount", i == 0 ? fee - fee / 10 : fee / 10);
        f.null("application");
        f.str("currency", "usd");
        f.str("description", i == 0 ? "Stripe processing fees" : "Sales tax on Stripe fees");
        f.str("type", i == 0 ? "stripe_fee" : "tax");
    });
    w.num("net", amount - fee);
    w.str("reporting_category", "charge");
    w.str("source", padId("ch_", c.n));
    w.str("status", c.created % 5 == 0 ? "pending" : "available");
    w.str("type", "charge");
}

struct EntityKind
{
    const char *name;
    const char *prefix;
    const char *object;
    void (*render)(JsonWriter &, const Ctx &);
};

const EntityKind kKinds[] = {
    {"customers", "cus_", "customer", renderCustomer},
    {"charges", "ch_", "charge", renderCharge},
    {"invoices", "in_", "invoice", renderInvoice},
    {"subscriptions", "sub_", "subscription", renderSubscription},
    {"products", "prod_", "product", renderProduct},
    {"prices", "price_", "price", renderPrice},
    {"payment_intents", "pi_", "payment_intent", renderPaymentIntent},
    {"refunds", "re_", "refund", renderRefund},
    {"balance_transactions", "txn_", "balance_transaction", renderBalanceTransaction},
};

const EntityKind *kindOf(const QString &entity)
{
    for (const EntityKind &kind : kKinds) {
        if (entity == QLatin1String(kind.name))
            return &kind;
    }
    return nullptr;
}

QByteArray render(const EntityKind &kind, int n, qint64 created,
                  const QHash<QByteArray, QByteArray> *overrides = nullptr)
{
    thread_local std::string out; // reused: one allocation per record, the final one
    out.clear();
    JsonWriter writer(out, overrides);
    const Text id = padId(kind.prefix, n); // NUL-terminated: %s works on id.data()
    kind.render(writer,
                Ctx{n, created, id.view(), mix(quint64(n) * 0x100000001b3ULL + quint64(kind.prefix[0]))});
    writer.finish();
    return QByteArray(out.data(), qsizetype(out.size()));
}

QByteArray renderValue(const QJsonValue &value)
{
    // QJsonDocument only renders arrays and objects: wrap the value and strip the brackets.
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

// ---- Stripe's error bodies --------------------------------------------------------------------------------

FakeResponse stripeError(int status, const char *type, const QString &message, const char *code = nullptr,
                         const QString &param = {})
{
    QJsonObject error{{QStringLiteral("type"), QLatin1String(type)}, {QStringLiteral("message"), message}};
    if (code) {
        error.insert(QStringLiteral("code"), QLatin1String(code));
        error.insert(QStringLiteral("doc_url"),
                     QStringLiteral("https://stripe.com/docs/error-codes/") +
                         QString::fromLatin1(code).replace(QLatin1Char('_'), QLatin1Char('-')));
    }
    if (!param.isEmpty())
        error.insert(QStringLiteral("param"), param);
    const QJsonObject root{{QStringLiteral("error"), error}};
    return FakeResponse::json(status, QJsonDocument(root).toJson(QJsonDocument::Compact));
}

// Stripe shows the key's prefix and last four characters: "sk_test_********************wxyz".
QString maskKey(const QByteArray &key)
{
    static const char *const prefixes[] = {"sk_test_", "sk_live_", "rk_test_",
                                           "rk_live_", "pk_test_", "pk_live_"};
    QByteArray prefix;
    for (const char *candidate : prefixes) {
        if (key.startsWith(candidate)) {
            prefix = candidate;
            break;
        }
    }
    const QByteArray rest = key.mid(prefix.size());
    const qsizetype visible = rest.size() > 4 ? 4 : 0;
    return QString::fromUtf8(prefix + QByteArray(rest.size() - visible, '*') + rest.right(visible));
}

QByteArray requestId(int index)
{
    const Text text = fmt("req_%014llx", static_cast<unsigned long long>(mix(quint64(index)) >> 8));
    return QByteArray(text.data, text.size);
}

const QByteArray kAccountJson =
    "{\"id\":\"acct_1Mako\",\"object\":\"account\",\"business_profile\":{\"mcc\":\"5734\",\"name\":\"Mako "
    "Test Co\","
    "\"support_email\":\"support@mako.test\",\"url\":\"https://mako.test\"},\"business_type\":\"company\","
    "\"capabilities\":{\"card_payments\":\"active\",\"transfers\":\"active\"},\"charges_enabled\":true,"
    "\"country\":\"US\",\"created\":1600000000,\"default_currency\":\"usd\",\"details_submitted\":true,"
    "\"email\":\"owner@mako.test\",\"payouts_enabled\":true,\"settings\":{\"dashboard\":{\"display_name\":"
    "\"Mako Test Co\",\"timezone\":\"Etc/UTC\"}},\"type\":\"standard\"}";

// List order is (created, id); ids are <prefix><n as 10 digits>, so comparing n compares ids.
bool lessThan(qint64 created, int n, qint64 otherCreated, int otherN)
{
    return created < otherCreated || (created == otherCreated && n < otherN);
}

} // namespace

// ---- FakeStripeServer -------------------------------------------------------------------------------------

FakeStripeServer::FakeStripeServer()
{
    for (const EntityKind &kind : kKinds)
        m_entities[QString::fromLatin1(kind.name)].prefix = kind.prefix;
}

FakeStripeServer::~FakeStripeServer()
{
    stop(); // before our members go: the server thread calls handle()
}

QStringList FakeStripeServer::entities()
{
    QStringList names;
    for (const EntityKind &kind : kKinds)
        names.append(QString::fromLatin1(kind.name));
    return names;
}

QByteArray FakeStripeServer::idPrefix(const QString &entity)
{
    const EntityKind *kind = kindOf(entity);
    return kind ? QByteArray(kind->prefix) : QByteArray();
}

void FakeStripeServer::setApiKey(const QString &key)
{
    QMutexLocker locker(&m_mutex);
    m_apiKey = key.toUtf8();
}

QString FakeStripeServer::apiKey() const
{
    QMutexLocker locker(&m_mutex);
    return QString::fromUtf8(m_apiKey);
}

FakeStripeServer::Entity *FakeStripeServer::entity(const QString &name)
{
    const auto it = m_entities.find(name);
    return it == m_entities.end() ? nullptr : &it->second;
}

const FakeStripeServer::Entity *FakeStripeServer::entity(const QString &name) const
{
    const auto it = m_entities.find(name);
    return it == m_entities.end() ? nullptr : &it->second;
}

void FakeStripeServer::seed(const QString &name, int count, qint64 firstCreated)
{
    const EntityKind *kind = kindOf(name);
    if (!kind) {
        qWarning("FakeStripeServer::seed: unknown entity %s", qPrintable(name));
        return;
    }
    // Rendering a million records takes a moment: do it without holding the lock the server thread needs.
    std::vector<Record> records;
    std::vector<qint64> createdByN(size_t(std::max(count, 0)) + 1, kMissing);
    records.reserve(size_t(std::max(count, 0)));
    for (int n = 1; n <= count; ++n) {
        Record record;
        record.n = n;
        record.created = firstCreated + n;
        record.json = render(*kind, n, record.created);
        createdByN[size_t(n)] = record.created;
        records.push_back(std::move(record));
    }
    QMutexLocker locker(&m_mutex);
    Entity &e = m_entities[name];
    e.records.swap(records); // the old records are freed after the lock is released
    e.createdByN.swap(createdByN);
    e.overrides.clear();
    e.firstCreated = firstCreated;
    e.lastN = std::max(count, 0);
}

void FakeStripeServer::addRecords(const QString &name, int count)
{
    const EntityKind *kind = kindOf(name);
    if (!kind) {
        qWarning("FakeStripeServer::addRecords: unknown entity %s", qPrintable(name));
        return;
    }
    QMutexLocker locker(&m_mutex);
    Entity &e = m_entities[name];
    e.records.reserve(e.records.size() + size_t(std::max(count, 0)));
    for (int i = 0; i < count; ++i) {
        Record record;
        record.n = ++e.lastN;
        record.created = e.firstCreated + record.n;
        if (!e.records.empty() && record.created <= e.records.back().created)
            record.created = e.records.back().created + 1; // newer than everything, even after updates
        record.json = render(*kind, record.n, record.created);
        e.createdByN.resize(size_t(record.n) + 1, kMissing);
        e.createdByN[size_t(record.n)] = record.created;
        e.records.push_back(std::move(record));
    }
}

qsizetype FakeStripeServer::indexOf(const Entity &e, const QByteArray &id)
{
    // Our ids are <prefix><n as 10 digits>.
    if (id.size() != e.prefix.size() + 10 || !id.startsWith(e.prefix))
        return -1;
    size_t n = 0;
    for (qsizetype i = e.prefix.size(); i < id.size(); ++i) {
        if (id[i] < '0' || id[i] > '9')
            return -1;
        n = n * 10 + size_t(id[i] - '0');
    }
    if (n >= e.createdByN.size() || e.createdByN[n] == kMissing)
        return -1;
    const qint64 created = e.createdByN[n];
    const auto it =
        std::lower_bound(e.records.begin(), e.records.end(), int(n), [created](const Record &r, int key) {
            return lessThan(r.created, r.n, created, key);
        });
    if (it == e.records.end() || it->n != int(n))
        return -1;
    return qsizetype(it - e.records.begin());
}

void FakeStripeServer::updateRecord(const QString &name, const QString &id, const QByteArray &field,
                                    const QJsonValue &value)
{
    const EntityKind *kind = kindOf(name);
    if (!kind || field == "id" || field.isEmpty()) {
        qWarning("FakeStripeServer::updateRecord: cannot set %s.%s", qPrintable(name), field.constData());
        return;
    }
    const QByteArray key = id.toUtf8();
    QMutexLocker locker(&m_mutex);
    Entity &e = m_entities[name];
    const qsizetype index = indexOf(e, key);
    if (index < 0) {
        qWarning("FakeStripeServer::updateRecord: no %s %s", qPrintable(name), qPrintable(id));
        return;
    }
    QHash<QByteArray, QByteArray> &overrides = e.overrides[key];
    if (value.isUndefined())
        overrides.remove(field);
    else
        overrides.insert(field, renderValue(value));

    Record record = std::move(e.records[size_t(index)]);
    e.records.erase(e.records.begin() + index);
    if (field == "created")
        record.created = value.isUndefined() ? e.firstCreated + record.n : qint64(value.toDouble());
    record.json = render(*kind, record.n, record.created, &overrides);
    if (overrides.isEmpty())
        e.overrides.remove(key);
    e.createdByN[size_t(record.n)] = record.created;
    const auto at =
        std::lower_bound(e.records.begin(), e.records.end(), record, [](const Record &a, const Record &b) {
            return lessThan(a.created, a.n, b.created, b.n);
        });
    e.records.insert(at, std::move(record));
}

void FakeStripeServer::removeRecord(const QString &name, const QString &id)
{
    const QByteArray key = id.toUtf8();
    QMutexLocker locker(&m_mutex);
    Entity *e = entity(name);
    if (!e)
        return;
    const qsizetype index = indexOf(*e, key);
    if (index < 0)
        return;
    e->createdByN[size_t(e->records[size_t(index)].n)] = kMissing;
    e->records.erase(e->records.begin() + index);
    e->overrides.remove(key);
}

QStringList FakeStripeServer::ids(const QString &name) const
{
    QMutexLocker locker(&m_mutex);
    QStringList result;
    if (const Entity *e = entity(name)) {
        result.reserve(qsizetype(e->records.size()));
        for (auto it = e->records.rbegin(); it != e->records.rend(); ++it)
            result.append(QString::fromLatin1(padId(e->prefix.constData(), it->n).view()));
    }
    return result;
}

int FakeStripeServer::count(const QString &name) const
{
    QMutexLocker locker(&m_mutex);
    const Entity *e = entity(name);
    return e ? int(e->records.size()) : 0;
}

QByteArray FakeStripeServer::recordJson(const QString &name, const QString &id) const
{
    QMutexLocker locker(&m_mutex);
    const Entity *e = entity(name);
    if (!e)
        return {};
    const qsizetype index = indexOf(*e, id.toUtf8());
    return index < 0 ? QByteArray() : e->records[size_t(index)].json;
}

void FakeStripeServer::setRateLimitEvery(int n, int retryAfterSeconds, bool httpDate)
{
    QMutexLocker locker(&m_mutex);
    m_rateLimitEvery = std::max(n, 0);
    m_retryAfterSeconds = std::max(retryAfterSeconds, 0);
    m_retryAfterHttpDate = httpDate;
    m_rateLimitCounter = 0;
}

void FakeStripeServer::failNext(int count, int status)
{
    QMutexLocker locker(&m_mutex);
    m_failCount = std::max(count, 0);
    m_failStatus = status;
}

void FakeStripeServer::setMalformedPage(const QString &name, int pageIndex, Malformed kind, int times)
{
    QMutexLocker locker(&m_mutex);
    if (Entity *e = entity(name)) {
        e->malformedPage = pageIndex;
        e->malformedKind = kind;
        e->malformedTimes = times;
    }
}

void FakeStripeServer::setStuckCursor(const QString &name, bool stuck)
{
    QMutexLocker locker(&m_mutex);
    if (Entity *e = entity(name))
        e->stuckCursor = stuck;
}

void FakeStripeServer::dropNext(int count)
{
    QMutexLocker locker(&m_mutex);
    m_dropCount = std::max(count, 0);
}

int FakeStripeServer::listRequestCount(const QString &name) const
{
    QMutexLocker locker(&m_mutex);
    const Entity *e = entity(name);
    return e ? e->listRequests : 0;
}

// ---- Serving (server thread) ------------------------------------------------------------------------------

FakeResponse FakeStripeServer::rateLimited() const
{
    FakeResponse response =
        stripeError(429, "rate_limit_error",
                    QStringLiteral("Request rate limit exceeded. Learn more about rate limits here "
                                   "https://stripe.com/docs/rate-limits."),
                    "rate_limit");
    QByteArray retryAfter;
    if (m_retryAfterHttpDate) {
        const QDateTime when = QDateTime::currentDateTimeUtc().addSecs(m_retryAfterSeconds);
        retryAfter =
            QLocale::c().toString(when, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'")).toLatin1();
    } else {
        retryAfter = QByteArray::number(m_retryAfterSeconds);
    }
    response.headers.emplaceBack("Retry-After", retryAfter);
    return response;
}

FakeResponse FakeStripeServer::handle(const FakeRequest &request)
{
    QMutexLocker locker(&m_mutex);
    FakeResponse response = [&]() -> FakeResponse {
        if (m_dropCount > 0) {
            --m_dropCount;
            FakeResponse dropped;
            dropped.dropConnection = true;
            return dropped;
        }
        if (m_failCount > 0) {
            --m_failCount;
            return stripeError(m_failStatus, "api_error",
                               QStringLiteral("An unknown error occurred. Please try again; if the problem "
                                              "persists, contact us at https://support.stripe.com/."));
        }

        // Auth: "Bearer <key>", or HTTP Basic with the key as the user name (both work with Stripe).
        const QByteArray authorization = request.headers.value("authorization");
        QByteArray key;
        if (authorization.size() > 7 && authorization.first(7).compare("Bearer ", Qt::CaseInsensitive) == 0) {
            key = authorization.mid(7).trimmed();
        } else if (authorization.size() > 6 &&
                   authorization.first(6).compare("Basic ", Qt::CaseInsensitive) == 0) {
            const QByteArray decoded = QByteArray::fromBase64(authorization.mid(6).trimmed());
            const qsizetype colon = decoded.indexOf(':');
            key = colon < 0 ? decoded : decoded.left(colon);
        } else {
            key = authorization.trimmed();
        }
        if (key.isEmpty()) {
            FakeResponse denied = stripeError(
                401, "invalid_request_error",
                QStringLiteral(
                    "You did not provide an API key. You need to provide your API key in the "
                    "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                    "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, "
                    "or we can help at https://support.stripe.com/."));
            denied.headers.emplaceBack("WWW-Authenticate", "Basic realm=\"Stripe\"");
            return denied;
        }
        if (key != m_apiKey) {
            FakeResponse denied = stripeError(401, "invalid_request_error",
                                              QStringLiteral("Invalid API Key provided: ") + maskKey(key));
            denied.headers.emplaceBack("WWW-Authenticate", "Basic realm=\"Stripe\"");
            return denied;
        }

        const auto unrecognized = [&] {
            return stripeError(404, "invalid_request_error",
                               QStringLiteral("Unrecognized request URL (%1: %2). Please see "
                                              "https://stripe.com/docs or we can help at "
                                              "https://support.stripe.com/.")
                                   .arg(QString::fromLatin1(request.method), request.path));
        };
        if (request.method != "GET" && request.method != "HEAD")
            return unrecognized();
        const QStringList parts = request.path.split(QLatin1Char('/'));
        // "/v1/customers" -> ["", "v1", "customers"]
        if (parts.size() < 3 || parts.size() > 4 || !parts[0].isEmpty() || parts[1] != QLatin1String("v1"))
            return unrecognized();
        const QString &name = parts[2];
        if (parts.size() == 3 && name == QLatin1String("account")) {
            if (m_rateLimitEvery > 0 && ++m_rateLimitCounter % m_rateLimitEvery == 0)
                return rateLimited();
            return FakeResponse::json(200, kAccountJson);
        }
        Entity *e = entity(name);
        if (!e || (parts.size() == 4 && parts[3].isEmpty()))
            return unrecognized();
        if (parts.size() == 4)
            return retrieve(name, *e, parts[3].toUtf8());
        if (m_rateLimitEvery > 0 && ++m_rateLimitCounter % m_rateLimitEvery == 0)
            return rateLimited();
        return list(name, *e, request);
    }();
    if (!response.dropConnection) {
        response.headers.emplaceBack("Request-Id", requestId(request.index));
        response.headers.emplaceBack("Stripe-Version", "2024-06-20");
    }
    return response;
}

FakeResponse FakeStripeServer::retrieve(const QString &name, const Entity &e, const QByteArray &id) const
{
    const qsizetype index = indexOf(e, id);
    if (index < 0) {
        const EntityKind *kind = kindOf(name);
        return stripeError(
            404, "invalid_request_error",
            QStringLiteral("No such %1: '%2'").arg(QLatin1String(kind->object), QString::fromUtf8(id)),
            "resource_missing", QStringLiteral("id"));
    }
    return FakeResponse::json(200, e.records[size_t(index)].json);
}

FakeResponse FakeStripeServer::list(const QString &name, Entity &e, const FakeRequest &request)
{
    const QUrlQuery &query = request.query;
    const auto value = [&](const char *key) {
        return query.queryItemValue(QLatin1String(key), QUrl::FullyDecoded);
    };
    const auto invalidInteger = [](const QString &param, const QString &text) {
        return stripeError(400, "invalid_request_error", QStringLiteral("Invalid integer: %1").arg(text),
                           "parameter_invalid_integer", param);
    };

    int limit = 10;
    if (query.hasQueryItem(QStringLiteral("limit"))) {
        const QString text = value("limit");
        bool ok = false;
        limit = text.toInt(&ok);
        if (!ok)
            return invalidInteger(QStringLiteral("limit"), text);
        if (limit < 1 || limit > 100)
            return stripeError(400, "invalid_request_error",
                               QStringLiteral("Invalid limit: must be between 1 and 100"), nullptr,
                               QStringLiteral("limit"));
    }

    // created filters select a contiguous range [lo, hi) of the ascending records.
    qint64 minCreated = std::numeric_limits<qint64>::min();
    qint64 maxCreated = std::numeric_limits<qint64>::max();
    static const struct
    {
        const char *param;
        int kind; // 0 eq, 1 gte, 2 gt, 3 lte, 4 lt
    } filters[] = {
        {"created", 0}, {"created[gte]", 1}, {"created[gt]", 2}, {"created[lte]", 3}, {"created[lt]", 4}};
    for (const auto &filter : filters) {
        if (!query.hasQueryItem(QLatin1String(filter.param)))
            continue;
        const QString text = value(filter.param);
        bool ok = false;
        const qint64 bound = text.toLongLong(&ok);
        if (!ok)
            return invalidInteger(QLatin1String(filter.param), text);
        switch (filter.kind) {
        case 0:
            minCreated = std::max(minCreated, bound);
            maxCreated = std::min(maxCreated, bound);
            break;
        case 1:
            minCreated = std::max(minCreated, bound);
            break;
        case 2:
            minCreated = std::max(minCreated, bound + 1);
            break;
        case 3:
            maxCreated = std::min(maxCreated, bound);
            break;
        case 4:
            maxCreated = std::min(maxCreated, bound - 1);
            break;
        }
    }
    const auto &records = e.records;
    const auto lowerIt = std::lower_bound(records.begin(), records.end(), minCreated,
                                          [](const Record &r, qint64 bound) { return r.created < bound; });
    const auto upperIt = std::upper_bound(records.begin(), records.end(), maxCreated,
                                          [](qint64 bound, const Record &r) { return bound < r.created; });
    const qsizetype lo = qsizetype(lowerIt - records.begin());
    const qsizetype hi = std::max(lo, qsizetype(upperIt - records.begin()));

    const QString startingAfter = e.stuckCursor ? QString() : value("starting_after");
    const QString endingBefore = value("ending_before");
    if (!startingAfter.isEmpty() && !endingBefore.isEmpty())
        return stripeError(400, "invalid_request_error",
                           QStringLiteral("You may only specify one of these parameters: ending_before, "
                                          "starting_after."));
    const QString cursor = startingAfter.isEmpty() ? endingBefore : startingAfter;
    qsizetype cursorIndex = -1;
    if (!cursor.isEmpty()) {
        cursorIndex = indexOf(e, cursor.toUtf8());
        if (cursorIndex < 0) {
            const EntityKind *kind = kindOf(name);
            return stripeError(400, "invalid_request_error",
                               QStringLiteral("No such %1: '%2'").arg(QLatin1String(kind->object), cursor),
                               "resource_missing",
                               startingAfter.isEmpty() ? QStringLiteral("ending_before")
                                                       : QStringLiteral("starting_after"));
        }
    }

    // The page is records[first, last) served in reverse (newest first).
    qsizetype first = 0;
    qsizetype last = 0;
    bool hasMore = false;
    if (!endingBefore.isEmpty()) {
        first = std::max(cursorIndex + 1, lo);
        last = std::min(first + limit, hi);
        last = std::max(first, last);
        hasMore = last < hi;
    } else {
        last = startingAfter.isEmpty() ? hi : std::min(cursorIndex, hi);
        last = std::max(last, lo);
        first = std::max(lo, last - limit);
        hasMore = first > lo || e.stuckCursor;
    }

    bool includeTotal = false;
    const auto items = query.queryItems(QUrl::FullyDecoded);
    for (const auto &item : items) {
        if (item.first.startsWith(QLatin1String("include[")) && item.second == QLatin1String("total_count"))
            includeTotal = true;
    }

    QByteArray body;
    qsizetype size = 96 + name.size();
    for (qsizetype i = first; i < last; ++i)
        size += records[size_t(i)].json.size() + 1;
    body.reserve(size);
    body.append("{\"object\":\"list\",\"data\":[");
    for (qsizetype i = last - 1; i >= first; --i) {
        if (i != last - 1)
            body.append(',');
        body.append(records[size_t(i)].json);
    }
    body.append("],\"has_more\":");
    body.append(hasMore ? "true" : "false");
    body.append(",\"url\":\"/v1/");
    body.append(name.toLatin1());
    body.append('"');
    if (includeTotal) {
        body.append(",\"total_count\":");
        body.append(QByteArray::number(hi - lo));
    }
    body.append('}');

    ++e.listRequests;
    const qsizetype pageIndex = (hi - last) / limit; // newer records in the walk before this page, in pages
    if (e.malformedPage >= 0 && pageIndex == e.malformedPage && e.malformedTimes != 0) {
        if (e.malformedTimes > 0)
            --e.malformedTimes;
        if (e.malformedKind == Malformed::Truncated) {
            body.truncate(body.size() / 2);
        } else if (e.malformedKind == Malformed::CutShort) {
            FakeResponse cut = FakeResponse::json(200, body);
            cut.cutAfterBytes = body.size() / 2;
            return cut;
        } else {
            body = "{\"object\":\"list\",\"has_more\":" + QByteArray(hasMore ? "true" : "false") +
                   ",\"url\":\"/v1/" + name.toLatin1() + "\"}";
        }
    }
    return FakeResponse::json(200, body);
}
