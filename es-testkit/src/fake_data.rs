//! Realistic domain data inside proptest strategies, from the `fake` crate.
//!
//! Each strategy draws a seed from proptest and builds the value with `fake` from a generator
//! seeded with it, so a failing case replays with the same data. The values do not shrink
//! (a smaller seed is not a simpler name); shrinking still removes and simplifies the commands
//! around them.
//!
//! ```
//! use es_testkit::fake_data::{fake, fake_with, sample};
//! use fake::faker::{internet::en::SafeEmail, name::en::Name};
//! use proptest::prelude::*;
//!
//! #[derive(Debug, Clone)]
//! enum Command { Register { name: String, email: String, age: u8 } }
//!
//! let register = (fake_with(Name()), fake_with(SafeEmail()), fake::<u8>())
//!     .prop_map(|(name, email, age)| Command::Register { name, email, age });
//! let Command::Register { email, .. } = sample(&register, 1);
//! assert!(email.contains('@'));
//! ```

use std::fmt::Debug;

use fake::{
    Dummy, Faker,
    rand::{SeedableRng, rngs::ChaCha8Rng},
};
use proptest::{
    prelude::any,
    strategy::{Strategy, ValueTree},
};

/// A strategy of any `T` that `fake` can make up (`Faker`): numbers, strings, structs that
/// `#[derive(Dummy)]`.
///
/// ```
/// use es_testkit::fake_data::fake;
/// use proptest::strategy::Strategy;
/// let _names = fake::<String>().prop_map(|s| s.len());
/// ```
pub fn fake<T: Dummy<Faker> + Debug>() -> impl Strategy<Value = T> {
    fake_with(Faker)
}

/// A strategy of values made by the `fake` generator `faker`, e.g. `Name()`, `SafeEmail()`,
/// `CityName()`, or a range like `1..100`.
///
/// ```
/// use es_testkit::fake_data::fake_with;
/// use fake::faker::address::en::CityName;
/// use proptest::strategy::Strategy;
/// let _cities = fake_with::<String, _>(CityName()).prop_map(|city| city.to_uppercase());
/// ```
pub fn fake_with<T, F>(faker: F) -> impl Strategy<Value = T>
where
    T: Dummy<F> + Debug,
{
    any::<u64>()
        .no_shrink()
        .prop_map(move |seed| T::dummy_with_rng(&faker, &mut ChaCha8Rng::seed_from_u64(seed)))
}

/// One value of `strategy`, generated outside a property test (for examples and fixtures),
/// deterministic for a given `seed`.
///
/// ```
/// use es_testkit::fake_data::{fake_with, sample};
/// use fake::faker::name::en::Name;
/// let names = fake_with::<String, _>(Name());
/// assert_eq!(sample(&names, 7), sample(&names, 7));
/// ```
pub fn sample<S: Strategy>(strategy: &S, seed: u64) -> S::Value {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = proptest::test_runner::TestRng::from_seed(
        proptest::test_runner::RngAlgorithm::ChaCha,
        &bytes,
    );
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(
        proptest::test_runner::Config::default(),
        rng,
    );
    loop {
        // Strategies built from these helpers never reject; a filtering strategy may, so try
        // again with the runner's next draw.
        if let Ok(tree) = strategy.new_tree(&mut runner) {
            return tree.current();
        }
    }
}
