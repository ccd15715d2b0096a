/* static.c — linked with -static by the test: siglab must refuse it. */
int main(void) { return 0; }
