//! The read models, fed with events.

use es_core::chrono::{TimeZone, Utc};
use es_testkit::ProjectionScenario;
use scenarios::{AccountStatement, BankEvent, CartEvent, SalesReport};

#[test]
fn sales_count_only_checked_out_carts() {
    let added = |sku: &str, quantity| CartEvent::ItemAdded {
        sku: sku.into(),
        quantity,
        unit_price: 100,
    };
    let then = ProjectionScenario::new(SalesReport::project)
        .given([
            added("tea", 2),
            added("jam", 1),
            CartEvent::CheckedOut { total: 300 },
        ])
        .given([added("tea", 5)]) // a cart that was never paid
        .then_state_matches(|report| report.orders == 1 && report.revenue == 300);
    assert_eq!(then.state().units.get("tea"), Some(&2));
    assert_eq!(then.state().units.get("jam"), Some(&1));
}

#[test]
fn statement_follows_the_account() {
    let at = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
    ProjectionScenario::new(AccountStatement::project)
        .given([
            BankEvent::Opened {
                owner: "ada".into(),
            },
            BankEvent::Deposited { amount: 100 },
            BankEvent::Withdrawn { amount: 40, at },
        ])
        .then_state(AccountStatement {
            owner: Some("ada".into()),
            balance: 60,
            movements: 2,
            closed: false,
        });
}
