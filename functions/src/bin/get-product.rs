fn main() {
    shop::hello();
}
