fn main() {
    porch_widget::start();
}
