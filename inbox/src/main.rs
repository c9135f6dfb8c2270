fn main() {
    porch_inbox::start();
}
