package io.github.bertembed.cli;
public class Main { public static void main(String[] a) {} }
