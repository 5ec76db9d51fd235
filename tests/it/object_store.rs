//! Inputs and lakes in object storage, against Azurite started by each test (see
//! `tests/support/azurite.rs`).

use crate::azurite::Azurite;

#[test]
fn the_harness_creates_containers_and_round_trips_blobs() {
    let Some(azurite) = Azurite::start("the_harness_creates_containers_and_round_trips_blobs")
    else {
        return;
    };
    assert_eq!(azurite.create_container("insights"), 201);
    assert_eq!(azurite.create_container("insights"), 409, "it exists now");
    let blob = azurite.location("az://insights/a/b.json");
    blob.write_atomic(b"{}\n").unwrap();
    assert_eq!(blob.read().unwrap().as_deref(), Some(&b"{}\n"[..]));
    assert_eq!(azurite.blobs("az://insights/"), ["a/b.json"]);
}
